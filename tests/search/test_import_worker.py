"""A large import's documents are cut by a worker process while the demands are written: the
index must hold exactly what cutting them in the importing process gives (SQLite and
PostgreSQL), whether the worker delivers, cannot start or fails half-way, and a failed import
leaves no document."""

import random
import sys
from contextlib import contextmanager

import pytest

from minsheng.demands.imports import import_demands
from minsheng.demands.models import Demand
from minsheng.demands.signals import demands_imported
from minsheng.search import documents, index, segmenter

# Place names of the world's region tree (words of the segmenter's dictionary, which the worker
# must be given) beside ordinary words, punctuation, a phone number and Latin letters.
_PIECES = ["玫瑰城第一网格", "雷锋第一网格", "玫瑰城社区", "楼道", "漏水", "噪音扰民", "井盖缺失", "路灯不亮",
           "物业不作为", "13812345678", "WiFi信号差", "3号楼", "，", "。", "！", "  ", "社区卫生服务中心"]


def _rows(rng: random.Random, count: int) -> list[dict[str, str]]:
    def text(n: int) -> str:
        return "".join(rng.choice(_PIECES) for _ in range(n)).strip() or "漏水"

    return [{"channel": "hotline", "demand_type": "complaint", "category": "construction.roads", "urgency": "",
             "title": text(rng.randint(1, 3)), "description": text(rng.randint(1, 12)), "address": "",
             "region": rng.choice(["g1", "g1b", "g2"]), "latitude": "", "longitude": "", "reporter_name": "",
             "reporter_phone": "", "hide_name": "否", "consent": "是"} for _ in range(count)]


@pytest.fixture
def small_chunks(monkeypatch):
    """A worker for an import of 5 rows on, in chunks of 4 (several chunks, a short last one)."""
    monkeypatch.setattr(index, "PARALLEL_MIN", 5)
    monkeypatch.setattr(documents, "CHUNK", 4)
    segmenter.reload_dictionary()  # this world's place names
    return random.Random()


@pytest.fixture
def worker_only(monkeypatch):
    """The importing process takes no chunk while the worker is there to cut it."""
    claim = documents.Pending._claim
    monkeypatch.setattr(documents.Pending, "_claim", lambda self, *, last: None if last else claim(self, last=last))


def _cut_here(monkeypatch) -> list[int]:
    """Count the texts cut in this process (the worker, a process of its own, is not counted)."""
    calls = [0]
    cut = segmenter.tokens

    def counting(*texts):
        calls[0] += 1
        return cut(*texts)

    monkeypatch.setattr(segmenter, "tokens", counting)
    return calls


def _assert_live_equals_rebuilt(seed: int) -> None:
    live = index.stored_documents()
    assert len(live) == Demand.objects.count()
    assert index.rebuild() == len(live)
    assert index.stored_documents() == live, f"seed {seed}"


def test_a_workers_documents_are_those_cut_in_process(world, small_chunks, worker_only, monkeypatch):
    seed = small_chunks.randrange(10**6)
    rows = _rows(random.Random(seed), random.Random(seed).randint(9, 14))
    cut_here = _cut_here(monkeypatch)
    result = import_demands(world.user("operator"), rows)
    assert cut_here[0] == 0  # every document came from the worker
    assert len(index.stored_documents()) == len(rows) == len(result.demands)
    _assert_live_equals_rebuilt(seed)  # rebuild cuts in this process, with the same dictionary


# A worker slow to start (a busy machine).
_SLOW = "import sys, time; time.sleep(3); from minsheng.search import documents; " \
        "documents.serve(sys.stdin.buffer, sys.stdout.buffer)"


def test_the_importing_process_does_not_wait_for_a_worker_still_starting(world, small_chunks, monkeypatch):
    """The importing process cuts the chunks the worker has not been sent, from the last one
    back, instead of waiting (a worker is sent chunks once its dictionary is loaded)."""
    seed = small_chunks.randrange(10**6)
    rows = _rows(random.Random(seed), 11)
    monkeypatch.setattr(documents, "WORKER", [sys.executable, "-c", _SLOW])
    started = []
    monkeypatch.setattr(documents.Pending, "_send", lambda self, process, words: started.append(process))
    cut_here = _cut_here(monkeypatch)
    import_demands(world.user("operator"), rows)
    assert cut_here[0] == len(rows)
    assert started[0].wait(timeout=2) == -15  # and the worker was stopped, not left to load its dictionary
    _assert_live_equals_rebuilt(seed)


def test_no_worker_below_the_threshold(world, monkeypatch):
    payload = {"title": "漏水", "description": "楼道漏水"}
    assert index.prepare_import([payload] * (index.PARALLEL_MIN - 1)) is None
    monkeypatch.setattr(documents, "WORKER", ["/nonexistent/python3"])  # no process started
    pending = index.prepare_import([payload] * index.PARALLEL_MIN)
    assert pending is not None and len(pending) == index.PARALLEL_MIN


# A worker that answers the first chunk and dies.
_DYING = """
import pickle, sys
from minsheng.search import documents
words, vendor = pickle.load(sys.stdin.buffer)
documents.segmenter.use_words(words)
pickle.dump(True, sys.stdout.buffer)
sys.stdout.flush()
pickle.dump(documents.texts_documents(pickle.load(sys.stdin.buffer), vendor), sys.stdout.buffer)
sys.stdout.flush()
sys.exit(3)
"""


@pytest.mark.parametrize("worker", [["/nonexistent/python3"], [sys.executable, "-c", _DYING]],
                         ids=["unstartable", "dying"])
def test_chunks_a_worker_does_not_deliver_are_cut_in_process(world, small_chunks, worker_only, monkeypatch, worker):
    seed = small_chunks.randrange(10**6)
    rows = _rows(random.Random(seed), 11)
    monkeypatch.setattr(documents, "WORKER", worker)
    cut_here = _cut_here(monkeypatch)
    import_demands(world.user("operator"), rows)
    assert cut_here[0] == (11 if worker[0].startswith("/nonexistent") else 11 - documents.CHUNK)
    _assert_live_equals_rebuilt(seed)


@contextmanager
def a_later_listener_failing():
    """An import inside fails after the index's receiver has written (its transaction rolls back)."""

    def fail(sender, **kwargs):
        raise RuntimeError("a later listener fails")

    demands_imported.connect(fail, dispatch_uid="test.fail")
    try:
        with pytest.raises(RuntimeError):
            yield
    finally:
        demands_imported.disconnect(dispatch_uid="test.fail")


def test_a_failed_large_import_leaves_no_document(world, small_chunks):
    before = index.stored_documents()
    with a_later_listener_failing():
        import_demands(world.user("operator"), _rows(small_chunks, 9))
    assert index.stored_documents() == before
    assert not Demand.objects.exists()


def test_prepared_documents_must_be_those_of_the_events(world, small_chunks, monkeypatch):
    """The documents are matched with the events by position: another import's are refused."""
    monkeypatch.setattr(documents, "WORKER", ["/nonexistent/python3"])  # cut in this process
    pending = index.prepare_import([{"title": "别的", "description": "诉求"}] * 9)
    monkeypatch.setattr(index, "prepare_import", lambda payloads: pending)
    with pytest.raises(ValueError):
        import_demands(world.user("operator"), _rows(small_chunks, 9))
    assert not Demand.objects.exists()

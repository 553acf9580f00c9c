"""The PDF helper: what it keeps from one document to the next (the fetcher, the fonts), and that
the documents made with it stay whole."""

import hashlib
import io
import os
import random
import threading
import time
from unittest import mock

import pypdf
import pytest
from django.utils import translation

from minsheng.core import pdf


def _text(document: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_one_fetcher_serves_every_document_and_no_https_context_is_built_per_document():
    pdf.html_to_pdf("<p>一</p>")  # the process's fetcher exists from here on
    with mock.patch("ssl.create_default_context") as context:
        first = pdf.html_to_pdf('<link rel="stylesheet" href="/static/stations/print.css"><p>第一份</p>')
        second = pdf.html_to_pdf("<p>第二份</p>")
    assert context.call_count == 0
    assert pdf._static_fetcher() is pdf._static_fetcher()
    assert "第一份" in _text(first) and "第二份" in _text(second)


def test_each_thread_keeps_one_font_configuration_of_its_own():
    from weasyprint.text import fonts

    made = []
    real = fonts.FontConfiguration

    def counting():
        made.append(real())
        return made[-1]

    seen = {}

    def work(name):
        documents = [pdf.html_to_pdf(f"<p>{name}{i}</p>") for i in range(2)]
        seen[name] = (pdf._font_config(), [_text(d) for d in documents])

    with mock.patch.object(fonts, "FontConfiguration", counting):
        threads = [threading.Thread(target=work, args=(name,)) for name in ("甲", "乙")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(made) == 2  # one per thread, not one per document
    assert seen["甲"][0] is not seen["乙"][0]
    assert "甲1" in seen["甲"][1][1] and "乙0" in seen["乙"][1][0]


def test_the_fetcher_still_refuses_what_is_not_a_static_file():
    document = pdf.html_to_pdf('<img src="http://example.com/x.png"><p>正文</p>')
    assert "正文" in _text(document)


# --- documents kept by their content (PdfStore) ---------------------------------------------

def _fake_pdf(html: str) -> bytes:
    """A stand-in for the renderer: a different 'document' for every different HTML, in no time."""
    return b"%PDF-1.7 " + hashlib.sha256(html.encode()).hexdigest().encode() + b" " + os.urandom(8)


@pytest.fixture
def store(settings, tmp_path):
    settings.MINSHENG_PDF_CACHE_DIR = tmp_path / "pdf"
    settings.MINSHENG_PDF_CACHE_MB = 1
    return pdf.pdf_store()


def test_the_same_html_is_laid_out_once_and_sent_again(store):
    html = "<p>本月受理 12 件</p><p><span data-pdf-volatile>首次生成于 2026-05-01 08:00</span></p>"
    with mock.patch.object(pdf, "html_to_pdf", side_effect=_fake_pdf) as renderer:
        first = pdf.reused_pdf(html)
        again = pdf.reused_pdf(html.replace("08:00", "09:41"))  # only the volatile part differs
        other = pdf.reused_pdf(html.replace("12 件", "13 件"))
    assert renderer.call_count == 2 and first == again != other
    assert len(list(store.root.glob("*.pdf"))) == 2 and not list(store.root.glob("*.tmp"))


def test_the_language_and_the_static_files_are_part_of_the_key(store):
    html = '<link rel="stylesheet" href="/static/stations/print.css"><p>数据</p>'
    with translation.override("en"):
        english = pdf.document_key(html)
    assert english != pdf.document_key(html)
    before = pdf.document_key(html)
    with mock.patch.object(pdf, "_static_digest", return_value=b"a new stylesheet"):
        assert pdf.document_key(html) != before
    assert pdf.document_key("<p>数据</p>") == pdf.document_key("<p>数据</p>")


@pytest.mark.parametrize("damage", ["cut", "flipped", "empty", "not-a-pdf"])
def test_a_damaged_or_partial_file_is_never_sent(store, damage):
    html = f"<p>{damage}</p>"
    with mock.patch.object(pdf, "html_to_pdf", side_effect=_fake_pdf) as renderer:
        kept = pdf.reused_pdf(html)
        path = store.path(pdf.document_key(html))
        data = path.read_bytes()
        path.write_bytes({"cut": data[:-5], "flipped": data[:-1] + bytes([data[-1] ^ 1]), "empty": b"",
                          "not-a-pdf": data.replace(b"%PDF-", b"<html")}[damage])
        sent = pdf.reused_pdf(html)
    assert renderer.call_count == 2 and sent != kept and sent.startswith(b"%PDF-")
    assert store.get(pdf.document_key(html)) == sent  # the damaged file was replaced by a whole one


def test_the_store_stays_within_its_bound_and_keeps_what_was_used_last(tmp_path):
    rng = random.Random()
    bound = rng.randrange(20_000, 60_000)
    store = pdf.PdfStore(tmp_path, bound)
    keys = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(40)]
    start = time.time() - 1000
    for i, key in enumerate(keys):
        store.put(key, b"%PDF-" + os.urandom(rng.randrange(500, 5000)))
        os.utime(store.path(key), (start + i, start + i))  # distinct ages whatever the clock's resolution
        assert sum(p.stat().st_size for p in tmp_path.glob("*.pdf")) <= bound
    assert store.get(keys[-1]) is not None and store.get(keys[0]) is None
    kept = [k for k in keys if store.path(k).exists()]
    survivor, next_oldest = kept[0], kept[1]
    assert store.get(survivor) is not None  # used again: now the most recent
    for i in range(40, 80):
        key = hashlib.sha256(str(i).encode()).hexdigest()
        store.put(key, b"%PDF-" + os.urandom(rng.randrange(500, 5000)))
        os.utime(store.path(key), (start + i, start + i))  # older than the survivor's last use
        assert sum(p.stat().st_size for p in tmp_path.glob("*.pdf")) <= bound
        if not store.path(next_oldest).exists():
            break
    assert not store.path(next_oldest).exists() and store.path(survivor).exists()
    store.put(keys[0], b"%PDF-" + b"x" * bound)  # larger than the whole store: not kept
    assert store.get(keys[0]) is None


def test_two_writers_of_one_key_leave_one_whole_file_and_a_stale_temporary_file_is_removed(tmp_path):
    store = pdf.PdfStore(tmp_path, 10_000_000)
    key = hashlib.sha256(b"same").hexdigest()
    body = b"%PDF-" + os.urandom(200_000)
    stale = tmp_path / f".{key}.1.1.dead.tmp"
    stale.write_bytes(b"%PDF-half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    threads = [threading.Thread(target=store.put, args=(key, body)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.get(key) == body
    assert [p.name for p in tmp_path.iterdir()] == [f"{key}.pdf"]


def test_a_store_that_cannot_be_written_still_gives_the_document(settings, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    settings.MINSHENG_PDF_CACHE_DIR = blocked / "pdf"
    with mock.patch.object(pdf, "html_to_pdf", side_effect=_fake_pdf) as renderer:
        assert pdf.reused_pdf("<p>一</p>").startswith(b"%PDF-")
        assert pdf.reused_pdf("<p>一</p>").startswith(b"%PDF-")
    assert renderer.call_count == 2


def test_a_store_of_zero_megabytes_is_off(settings, tmp_path):
    settings.MINSHENG_PDF_CACHE_DIR = tmp_path
    settings.MINSHENG_PDF_CACHE_MB = 0
    with mock.patch.object(pdf, "html_to_pdf", side_effect=_fake_pdf) as renderer:
        pdf.reused_pdf("<p>一</p>")
        pdf.reused_pdf("<p>一</p>")
    assert renderer.call_count == 2 and not list(tmp_path.iterdir())

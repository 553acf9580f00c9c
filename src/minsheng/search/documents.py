"""A document of the index as the database stores it, and the documents of a large bulk import
computed in a second process while the importing one writes the demands.

Cutting a demand's title and description into words (``segmenter.tokens``) costs about as much
as everything else the bulk import does for the demand, and the import's process can only do
one or the other at a time.  The texts of an import are known once its rows are validated, so
from ``PARALLEL_MIN`` rows on (``index.prepare_import``) a worker process started for the
import cuts them, in chunks, while the importing process numbers and inserts the demands and
their events; the index's receiver then only inserts the documents the worker handed back.
The worker adds the importing process's own dictionary words (``segmenter.loaded_words``), so
its documents are exactly those the importing process would have computed (tested).  Should
the worker fail (no process could be started, it died), the chunks it did not deliver are cut
in the importing process: the import is slower, never different.

This module imports nothing of Django: the worker runs it without the project's settings.
"""

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from . import segmenter

log = logging.getLogger(__name__)

# PostgreSQL keeps positions up to 16383 and at most 256 of them per lexeme.
_MAX_POSITION, _MAX_POSITIONS = 16383, 256
# An import of fewer rows is cut in its own process: a worker costs about half a second of CPU
# to start (Python, rjieba and its dictionary), which a small import would wait for.
PARALLEL_MIN = 2000
# Texts per chunk (about 35 ms of cutting), and chunks sent to the worker ahead of its answers.
CHUNK = 1000
IN_FLIGHT = 2


def tsvector(words: Sequence[str]) -> str:
    """``words`` as a tsvector literal: each word verbatim (letters and digits only, so no quoting
    is needed) with its positions, so that ``ts_rank`` counts how often a word occurs."""
    positions: dict[str, list[str]] = {}
    for i, word in enumerate(words, start=1):
        at = positions.setdefault(word, [])
        if len(at) < _MAX_POSITIONS:
            at.append(str(min(i, _MAX_POSITION)))
    return " ".join(f"'{word}':{','.join(at)}" for word, at in positions.items())


def stored_text(words: Sequence[str], vendor: str) -> str:
    """What the index's ``document`` column receives for ``words``: a tsvector literal on
    PostgreSQL, the words joined by spaces on SQLite (FTS5's ``ascii`` tokenizer splits them)."""
    return tsvector(words) if vendor == "postgresql" else " ".join(words)


def texts_documents(texts: Sequence[tuple[str, str]], vendor: str) -> list[str]:
    """The stored text of each (title, description): a new demand's document."""
    return [stored_text(segmenter.tokens(title, description), vendor) for title, description in texts]


class Pending:
    """The documents of an import's texts, shared between a worker process and this one.

    The worker is ``python -m minsheng.search.documents`` (``WORKER``), a process of its own
    rather than a ``multiprocessing`` child, which would import the main module of whatever
    runs the import again.  The texts are cut in chunks: a thread sends the worker the
    dictionary words, then, once it has loaded them, the chunks from the first on, ``IN_FLIGHT``
    ahead of its answers; another thread receives each chunk's documents as soon as they are
    ready.  When the
    importing process asks for the documents (``documents()``), it inserts those the worker has
    delivered and, rather than wait, cuts the chunks the worker has not been sent yet, from the
    last one back: on a busy machine, where the worker gets less than a core, the two share the
    work instead of one waiting for the other, and an import is never slower than cutting all in
    process by more than the chunks in flight."""

    def __init__(self, texts: Sequence[tuple[str, str]], vendor: str, words: Sequence[str]) -> None:
        self.texts, self.vendor = texts, vendor
        self._chunks = [(i, min(i + CHUNK, len(texts))) for i in range(0, len(texts), CHUNK)]
        self._answers: queue.SimpleQueue = queue.SimpleQueue()  # (chunk, documents), then None
        self._lock = threading.Lock()
        self._front, self._back = 0, len(self._chunks)  # chunks [front, back) are nobody's yet
        self._window = threading.Semaphore(0)  # opened when the worker has its dictionary
        self._process: subprocess.Popen | None = None
        self._stopped = False
        try:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            process = self._process = subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                       env=env)
        except OSError:
            log.warning("search: no worker process for an import's documents; cut in process", exc_info=True)
            self._answers.put(None)
            return
        threading.Thread(target=self._send, args=(process, tuple(words)), daemon=True,
                         name="search.documents.send").start()
        threading.Thread(target=self._receive, args=(process,), daemon=True,
                         name="search.documents.receive").start()

    def _claim(self, *, last: bool) -> int | None:
        """A chunk nobody has taken yet: the first one (for the worker) or the last one."""
        with self._lock:
            if self._front >= self._back:
                return None
            if last:
                self._back -= 1
                return self._back
            self._front += 1
            return self._front - 1

    def _send(self, process: subprocess.Popen, words: tuple[str, ...]) -> None:
        try:
            with process.stdin as stream:
                pickle.dump((words, self.vendor), stream, pickle.HIGHEST_PROTOCOL)
                stream.flush()
                while True:
                    self._window.acquire()  # released by each answer, and all at once when the worker ends
                    chunk = self._claim(last=False)
                    if chunk is None:
                        return  # closing the pipe ends the worker once it has answered
                    start, end = self._chunks[chunk]
                    pickle.dump(self.texts[start:end], stream, pickle.HIGHEST_PROTOCOL)
                    stream.flush()
        except OSError:  # the worker is gone: _receive says so
            pass

    def _receive(self, process: subprocess.Popen) -> None:
        chunk = 0
        try:
            with process.stdout as stream:
                pickle.load(stream)  # the worker is ready: its dictionary is loaded
                self._window.release(IN_FLIGHT)
                while True:
                    try:
                        documents = pickle.load(stream)
                    except EOFError:
                        break
                    self._answers.put((chunk, documents))
                    chunk += 1
                    self._window.release()
        except Exception:  # the worker died before it was ready, or answered garbage
            if self._stopped:
                return  # ended by documents(), not needed (the finally still runs)
            log.warning("search: the worker process failed; an import's documents are cut in process",
                        exc_info=True)
        finally:
            with self._lock:
                self._back = self._front  # nothing more for the worker
            self._window.release(IN_FLIGHT + 1)
            self._answers.put(None)  # no more answers
            process.wait()

    def __len__(self) -> int:
        return len(self.texts)

    def documents(self) -> Iterator[tuple[int, list[str]]]:
        """(position of the first text, documents) of each chunk, in no particular order, until
        every text's document has been handed over exactly once."""
        done: set[int] = set()

        def cut(chunk: int) -> tuple[int, list[str]]:
            done.add(chunk)
            start, end = self._chunks[chunk]
            return start, texts_documents(self.texts[start:end], self.vendor)

        while len(done) < len(self._chunks):
            try:
                answer = self._answers.get_nowait()
            except queue.Empty:
                mine = self._claim(last=True)
                if mine == 0 and self._process is not None:
                    # Every chunk is this process's, the worker is still starting: spare its CPU.
                    self._stopped = True
                    self._process.terminate()
                if mine is not None:
                    yield cut(mine)
                    continue
                answer = self._answers.get()  # every chunk is the worker's or done: wait for it
            if answer is None:  # the worker has ended: what it did not deliver is cut here
                with self._lock:
                    self._back = self._front
                for chunk in range(len(self._chunks)):
                    if chunk not in done:
                        yield cut(chunk)
                return
            chunk, documents = answer
            start, end = self._chunks[chunk]
            if len(documents) != end - start:
                raise ValueError(f"the worker answered {len(documents)} documents for {end - start} texts")
            done.add(chunk)
            yield start, documents


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker: the dictionary words and the vendor, then chunks of (title, description) until
    the end of ``requests``, each answered with its documents."""
    words, vendor = pickle.load(requests)
    segmenter.use_words(words)
    pickle.dump(True, answers)  # ready
    answers.flush()
    while True:
        try:
            texts = pickle.load(requests)
        except EOFError:
            return
        pickle.dump(texts_documents(texts, vendor), answers, pickle.HIGHEST_PROTOCOL)
        answers.flush()


# The worker's command line.
WORKER = [sys.executable, "-m", __name__]

if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):  # the importing process took every chunk, or ended
        serve(sys.stdin.buffer, sys.stdout.buffer)

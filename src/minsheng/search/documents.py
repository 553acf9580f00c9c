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
# Texts per task: the importing process inserts a chunk's documents while the worker cuts the
# next one.
CHUNK = 5000


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
    tokens = segmenter.tokens
    if vendor == "postgresql":
        return [tsvector(tokens(title, description)) for title, description in texts]
    return [" ".join(tokens(title, description)) for title, description in texts]


class Pending:
    """The documents of an import's texts, being computed by a worker process started here.

    The worker is ``python -m minsheng.search.documents`` (``WORKER``), a process of its own
    rather than a ``multiprocessing`` child, which would import the main module of whatever
    runs the import again.  A thread sends it the dictionary words and the chunks of texts,
    another receives each chunk's documents as soon as they are ready (so that the worker never
    waits for the importing process to read), and ``documents()`` hands them over in the order
    of the texts.  The worker ends when it has been sent the last chunk and has answered it."""

    def __init__(self, texts: Sequence[tuple[str, str]], vendor: str, words: Sequence[str]) -> None:
        self.texts, self.vendor = texts, vendor
        self._chunks = [(i, min(i + CHUNK, len(texts))) for i in range(0, len(texts), CHUNK)]
        self._answers: queue.SimpleQueue = queue.SimpleQueue()
        try:
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
            process = subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        except OSError:
            log.warning("search: no worker process for an import's documents; cut in process", exc_info=True)
            self._answers.put(None)
            return
        threading.Thread(target=self._send, args=(process, tuple(words)), daemon=True,
                         name="search.documents.send").start()
        threading.Thread(target=self._receive, args=(process,), daemon=True,
                         name="search.documents.receive").start()

    def _send(self, process: subprocess.Popen, words: tuple[str, ...]) -> None:
        try:
            with process.stdin as stream:
                pickle.dump((words, self.vendor), stream, pickle.HIGHEST_PROTOCOL)
                for start, end in self._chunks:
                    pickle.dump(self.texts[start:end], stream, pickle.HIGHEST_PROTOCOL)
        except OSError:  # the worker is gone: _receive says so
            pass

    def _receive(self, process: subprocess.Popen) -> None:
        try:
            with process.stdout as stream:
                for _chunk in self._chunks:
                    self._answers.put(pickle.load(stream))
        except Exception:  # the worker died (EOF) or answered garbage
            log.warning("search: the worker process failed; an import's documents are cut in process",
                        exc_info=True)
        finally:
            self._answers.put(None)  # no more answers
            process.wait()

    def __len__(self) -> int:
        return len(self.texts)

    def documents(self) -> Iterator[str]:
        """Each text's document, in order; the chunks the worker did not deliver are cut here."""
        delivering = True
        for start, end in self._chunks:
            chunk = self._answers.get() if delivering else None
            if chunk is None or len(chunk) != end - start:
                delivering = False
                chunk = texts_documents(self.texts[start:end], self.vendor)
            yield from chunk


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker: the dictionary words and the vendor, then chunks of (title, description) until
    the end of ``requests``, each answered with its documents."""
    words, vendor = pickle.load(requests)
    segmenter.use_words(words)
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
    serve(sys.stdin.buffer, sys.stdout.buffer)

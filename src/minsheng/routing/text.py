"""A demand's text as the category classifier and the duplicate finder read it, and the hashes
of its character n-grams.  Apart from the classifier (``classifier``), whose scikit-learn and
SciPy take seconds to import: a process that never uses a model (the API, the worker, a command)
does not pay for them at start."""

import re

import numpy as np

SEP = "。"
WHITESPACE_RUNS = re.compile(r"\s\s+")  # the same whitespace rule as scikit-learn's char analyzer
HASH_MULTIPLIER = 0x9E3779B97F4A7C15  # odd 64-bit multiplier of the polynomial n-gram hash
HASH_SEED = 0x2545F4914F6CDD1D  # hash seed
HASH_MASK = (1 << 64) - 1


def join_text(title: str, description: str) -> str:
    """A demand as the classifier reads it: title + "。" + detail (the shared data's shape)."""
    return f"{(title or '').strip()}{SEP}{(description or '').strip()}"


def split_title(text: str) -> tuple[str, str]:
    """(title, body); a text without the joiner is all body."""
    i = text.find(SEP)
    return ("", text) if i < 0 else (text[:i], text[i + 1:])


def ngram_hash(gram: str) -> int:
    h = HASH_SEED
    for ch in gram:
        h = (h * HASH_MULTIPLIER + ord(ch)) & HASH_MASK
    return h


def char_ngram_hashes(s: str, nmin: int, nmax: int) -> np.ndarray:
    """Hashes of all char n-grams (nmin..nmax) of ``s``, vectorised; equal to ``ngram_hash``."""
    s = WHITESPACE_RUNS.sub(" ", s)
    cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n_chars = len(cp)
    h = np.full(n_chars, HASH_SEED, dtype=np.uint64)
    mult = np.uint64(HASH_MULTIPLIER)
    parts = []
    for n in range(1, nmax + 1):
        if n_chars < n:
            break
        h = h[: n_chars - n + 1] * mult + cp[n - 1:]  # uint64 arithmetic wraps mod 2**64
        if n >= nmin:
            parts.append(h)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)

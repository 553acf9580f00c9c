"""The category classifier: TF-IDF over character n-grams, a linear SVM, calibrated probabilities.

Pipeline (chosen by 5-fold cross-validation on the shared training data, see docs/routing.md):
  text = title + "。" + detail
  -> blocks: TF-IDF char n-grams over the full text, and separately over the title (the part
     before the first "。"), and TF-IDF of the full text's words (forward maximum match over
     jieba's word list, words of 2–4 characters), each L2-normalised and weighted
  -> NBSVM (Wang & Manning 2012): per category, the features scaled by the category's
     log-count ratio and one binary LinearSVC; the scaling folds into the weights, so the
     model stays linear in the TF-IDF features
  -> probabilities softmax(scores / T), T fitted on out-of-fold scores of the training rows.

One text per call (as intake uses it) goes through a fast path (``FastScorer``): the text's
n-grams hashed to 64-bit keys with numpy, looked up by one binary search in the sorted hashes of
all blocks' vocabularies and the word list, the words segmented from the n-grams found.  It
reproduces the scikit-learn transform + decision_function (checked by ``check_fast_path``)
without scikit-learn's per-call overhead, which alone costs about 1 ms.
"""

from __future__ import annotations

import copy
import functools
import gzip
import hashlib
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import joblib
import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from .text import HASH_MASK, HASH_MULTIPLIER, HASH_SEED, SEP, WHITESPACE_RUNS, ngram_hash, split_title

LEXICON_FILE = Path(__file__).with_name("lexicon") / "words.txt.gz"
MAX_WORD = 4  # the longest word forward maximum match tries
_COLUMN, _WORD, _LONG_PREFIX = (1 << 29) - 1, 1 << 29, 1 << 30  # FastScorer.code's fields


class ModelIntegrityError(Exception):
    """A model file whose checksum is not the one registered for it."""


def _field(text: str, name: str) -> str:
    if name == "full":
        return text
    title, body = split_title(text)
    return title if name == "title" else body


def _han(cp: np.ndarray) -> np.ndarray:
    return (cp >= 0x4E00) & (cp <= 0x9FFF)


class WordSegmenter:
    """Forward maximum match over a word list: in each run of Han characters, the longest word
    (2..MAX_WORD characters) starting at the current character, else one character, which is
    dropped.  Words are looked up by the hash ``ngram_hash`` in the sorted array ``keys``, so
    one text is segmented with a few numpy operations and a short loop.  Callable as a
    scikit-learn analyzer (text → words); ``hashes`` gives the words' hashes for the fast path.
    ``long_prefixes``: the hashes of the first MAX_WORD - 1 characters of the MAX_WORD-character
    words, so that the fast path looks up a text's MAX_WORD-grams only where one may be a word
    (about 5 of a text's 400; segmenters of models trained before it have none)."""

    def __init__(self, words):
        keys = np.fromiter((ngram_hash(w) for w in words), dtype=np.uint64)
        self.keys = np.unique(keys)
        if len(self.keys) != len(set(words)):
            raise RuntimeError("word hash collision inside the word list")
        self.long_prefixes = np.unique(np.fromiter((ngram_hash(w[:-1]) for w in words if len(w) == MAX_WORD),
                                                   dtype=np.uint64))

    @classmethod
    @functools.cache
    def from_file(cls, path: Path | str = LEXICON_FILE) -> WordSegmenter:
        """The segmenter of a word list file (read once per process)."""
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return cls([w for w in (line.strip() for line in f) if 2 <= len(w) <= MAX_WORD])

    def spans(self, s: str) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        """(starts, lengths, hashes by length) of the words of ``s``."""
        cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
        n = len(cp)
        han = _han(cp)
        c64 = cp.astype(np.uint64)
        h = np.full(n, HASH_SEED, dtype=np.uint64) * np.uint64(HASH_MULTIPLIER) + c64
        all_han = han
        best = np.ones(n, dtype=np.int8)
        by_len: list[np.ndarray] = [h, h]
        keys, nk = self.keys, len(self.keys)
        for length in range(2, MAX_WORD + 1):
            if n < length:
                break
            h = h[:-1] * np.uint64(HASH_MULTIPLIER) + c64[length - 1:]  # uint64 arithmetic wraps mod 2**64
            all_han = all_han[:-1] & han[length - 1:]
            pos = np.searchsorted(keys, h)
            pos[pos == nk] = 0
            best[: n - length + 1][(keys[pos] == h) & all_han] = length  # the longest wins
            by_len.append(h)
        lengths, starts, i = best.tolist(), [], 0
        while i < n:
            if lengths[i] > 1:
                starts.append(i)
            i += lengths[i]
        st = np.array(starts, dtype=np.int64)
        return st, best[st], by_len

    def hashes(self, s: str) -> np.ndarray:
        st, ln, by_len = self.spans(s)
        out = np.empty(len(st), dtype=np.uint64)
        for length in range(2, len(by_len)):
            m = ln == length
            out[m] = by_len[length][st[m]]
        return out

    def __call__(self, s: str) -> list[str]:
        st, ln, _ = self.spans(s)
        return [s[i:i + n] for i, n in zip(st.tolist(), ln.tolist(), strict=True)]


@dataclass
class Block:
    field: str = "full"  # full | title | body
    kind: str = "char"  # char: character n-grams | words: WordSegmenter's words (ngram unused)
    ngram: tuple[int, int] = (1, 3)
    weight: float = 1.0
    min_df: int = 2
    max_df: float = 1.0
    sublinear_tf: bool = False


@dataclass
class Config:
    blocks: list[Block] = field(default_factory=lambda: [Block()])
    C: float = 1.0
    class_weight: str | None = None
    calib_folds: int = 5
    seed: int = 0
    nb_alpha: float | None = None  # NBSVM's smoothing; None: one plain multi-class LinearSVC

    def to_dict(self) -> dict:
        return asdict(self)


def recommended_config(calib_folds: int = 5, words: bool = True) -> Config:
    """Full text char 1–3-grams + the title's char 1–3-grams (raw tf) + the full text's words
    (sublinear tf, 1 + ln tf: a word said five times is not five times the evidence; chosen by
    cross-validation, docs/routing.md "Fifth round"), min_df=2, NBSVM(C=1, alpha=2: the log-count
    ratios of n-grams seen in few rows shrink further towards zero, so a rare n-gram sways a
    category less; the only candidate of the sixth round above the former alpha=1 on all three
    shuffles of the cross-validation); without ``words`` only the two character blocks (less
    accurate, about 1.5 times as fast)."""
    blocks = [Block("full", ngram=(1, 3)), Block("title", ngram=(1, 3))]
    if words:
        blocks.append(Block("full", kind="words", sublinear_tf=True))
    return Config(blocks=blocks, calib_folds=calib_folds, nb_alpha=2.0)


class NBSVM:
    """One-vs-rest NBSVM (Wang & Manning 2012) over given features X.

    For each class c: r_c = log((p / |p|₁) / (q / |q|₁)), where p (q) is ``alpha`` plus the number of
    the class's (the other classes') rows in which a feature occurs; a binary LinearSVC is fitted on
    X·diag(r_c).  Its score x·(r_c ∘ w_c) + b_c is linear in x, so ``coef_`` holds r_c ∘ w_c and the
    model is used exactly like a LinearSVC (one row per class, also for two classes)."""

    def __init__(self, C: float = 1.0, alpha: float = 1.0, class_weight: str | None = None, random_state: int = 0):
        self.C, self.alpha, self.class_weight, self.random_state = C, alpha, class_weight, random_state

    def fit(self, X, y) -> NBSVM:
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        present = X.tocsr(copy=True)
        present.data = (present.data != 0).astype(np.float64)
        onehot = sp.csr_matrix((np.ones(len(y)), (np.searchsorted(self.classes_, y), np.arange(len(y)))),
                               shape=(len(self.classes_), len(y)))
        df = np.asarray((onehot @ present).todense())  # rows containing each feature, per class
        total = df.sum(axis=0)
        self.coef_ = np.zeros((len(self.classes_), X.shape[1]))
        self.intercept_ = np.zeros(len(self.classes_))
        for c, label in enumerate(self.classes_):
            p, q = self.alpha + df[c], self.alpha + total - df[c]
            r = np.log(p / p.sum()) - np.log(q / q.sum())
            svm = LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)
            svm.fit(X @ sp.diags(r), (y == label).astype(int))
            self.coef_[c] = svm.coef_[0] * r
            self.intercept_[c] = svm.intercept_[0]
        return self

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    """scikit-learn's smooth idf of a count matrix: ln((1 + n) / (1 + df)) + 1."""
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)
    return np.log((counts.shape[0] + 1) / (df + 1.0)) + 1.0


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray, sublinear: bool) -> sp.csr_matrix:
    """TfidfTransformer.transform (tf or 1 + ln tf, times idf, rows L2-normalised), on a copy."""
    X = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    if sublinear:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= idf[X.indices]
    return normalize(X, norm="l2", copy=False)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The T minimising the mean negative log-likelihood of softmax(scores / T)."""
    def nll(log_t: float) -> float:
        p = softmax(scores / math.exp(log_t))
        return -float(np.mean(np.log(np.clip(p[np.arange(len(y_idx)), y_idx], 1e-12, None))))
    return float(math.exp(minimize_scalar(nll, bounds=(-6, 4), method="bounded").x))


class Router:
    """Fit on (texts, labels); predict calibrated probabilities for one text at a time."""

    def __init__(self, cfg: Config | None = None):
        self.cfg = cfg or recommended_config()
        self.vecs: list[TfidfVectorizer] = []
        self.clf: LinearSVC | NBSVM | None = None
        self.classes_: list[str] = []
        self.temperature = 1.0
        self._fast = None
        # Optional second level: a router over leaf categories (``parents``: leaf code → top-level
        # code), learnt from a deployment's own dispatch decisions. See services.ranked.
        self.leaves: Router | None = None
        self.parents: dict[str, str] = {}

    # -- batch (scikit-learn) path ---------------------------------------------------
    def _vectorizer(self, b: Block) -> TfidfVectorizer:
        min_df = b.min_df if self._n_rows >= 20 else 1  # a tiny corpus keeps every n-gram
        if b.kind == "words":
            return TfidfVectorizer(analyzer=WordSegmenter.from_file(), min_df=min_df, max_df=b.max_df,
                                   sublinear_tf=b.sublinear_tf, dtype=np.float64)
        return TfidfVectorizer(analyzer="char", ngram_range=tuple(b.ngram), min_df=min_df, max_df=b.max_df,
                               sublinear_tf=b.sublinear_tf, dtype=np.float64, lowercase=True)

    def _fit_features(self, texts: list[str]):
        """The training matrix; also keeps, per block, the raw counts over the fitted vocabulary
        (``self._counts``, not saved) so that the calibration folds derive their features from
        them instead of reading every text again (``_fold_features``)."""
        self.vecs, mats, self._counts = [], [], []
        for b in self.cfg.blocks:
            fields = [_field(t, b.field) for t in texts]
            v = self._vectorizer(b)
            try:
                counts = CountVectorizer.fit_transform(v, fields).tocsr()  # raw tf; the idf below
                v.idf_ = _idf(counts)
                X = _tfidf(counts, v.idf_, b.sublinear_tf)
                self._counts.append(counts)
            except ValueError:  # e.g. no row has a title: the block learns nothing
                if b.kind == "words":  # no word at all: a column nothing produces
                    v = TfidfVectorizer(analyzer=v.analyzer, vocabulary={"　": 0})
                    X = v.fit_transform(fields)
                else:
                    v = TfidfVectorizer(analyzer="char", ngram_range=tuple(b.ngram), min_df=1, lowercase=True)
                    X = v.fit_transform([*fields, "　"])[:-1]
                self._counts.append(None)
            v.stop_words_ = None  # only for introspection, and large in the saved file
            self.vecs.append(v)
            mats.append(X * b.weight)
        return sp.hstack(mats).tocsr()

    def _fold_features(self, train_rows: np.ndarray, other_rows: np.ndarray):
        """(X of ``train_rows``, X of ``other_rows``) as a router fitted on ``train_rows`` alone
        would compute them, from the counts kept by ``_fit_features``: its vocabulary is the
        n-grams with min_df ≤ df ≤ max_df among those rows (all inside the full vocabulary, whose
        min_df is the same and whose rows include them), in the same order, with their idf.
        None where that does not hold (a block without counts or with a max_df, which may drop
        from the full vocabulary an n-gram the fold keeps; a fold too small for min_df or left
        with no feature): the caller then fits the fold from the texts."""
        n = len(train_rows)
        if self._n_rows >= 20 > n:
            return None
        train_mats, other_mats = [], []
        for b, counts in zip(self.cfg.blocks, self._counts, strict=True):
            if counts is None or b.max_df != 1.0:
                return None
            part = counts[train_rows]
            df = np.bincount(part.indices, minlength=part.shape[1])
            keep = np.flatnonzero(df >= (b.min_df if n >= 20 else 1))
            if not keep.size:
                return None
            idf = np.log((n + 1) / (df[keep] + 1.0)) + 1.0  # scikit-learn's smooth idf
            train_mats.append(_tfidf(part[:, keep], idf, b.sublinear_tf) * b.weight)
            other_mats.append(_tfidf(counts[other_rows][:, keep], idf, b.sublinear_tf) * b.weight)
        return sp.hstack(train_mats).tocsr(), sp.hstack(other_mats).tocsr()

    def _classifier(self):
        if getattr(self.cfg, "nb_alpha", None) is not None:
            return NBSVM(C=self.cfg.C, alpha=self.cfg.nb_alpha, class_weight=self.cfg.class_weight,
                         random_state=self.cfg.seed)
        return LinearSVC(C=self.cfg.C, class_weight=self.cfg.class_weight, random_state=self.cfg.seed)

    def transform(self, texts: Sequence[str]):
        mats = [v.transform([_field(t, b.field) for t in texts]) * b.weight
                for v, b in zip(self.vecs, self.cfg.blocks, strict=True)]
        return sp.hstack(mats).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[str], calib_texts: Sequence[str] | None = None) -> Router:
        """Fit on all rows.  T is fitted on out-of-fold scores of ``calib_texts`` (a subset of the
        rows, those shaped like intake texts; default all), the other rows being in every fold."""
        texts, labels = list(texts), [str(x) for x in labels]
        self._n_rows = len(texts)
        if len(set(labels)) < 2:
            raise ValueError("at least two categories are needed to train")
        X = self._fit_features(texts)
        self.clf = self._classifier().fit(X, labels)
        self.classes_ = [str(c) for c in self.clf.classes_]
        self._fast = None
        folds = self.cfg.calib_folds
        try:
            if folds and folds > 1:
                self._calibrate(texts, labels, calib_texts, folds)
        finally:
            self._counts = None  # large, and not part of the model
        return self

    def _calibrate(self, texts: list[str], labels: list[str], calib_texts: Sequence[str] | None, folds: int) -> None:
        """Fit T on out-of-fold scores of the calibration rows (stratified folds; the other rows
        join every training fold).  Each fold's features come from the counts of the full fit
        (``_fold_features``), which equal a fit on the fold's texts and skip reading them again:
        that reading, not the classifier, was most of the calibration's cost."""
        cal = set(calib_texts) if calib_texts is not None else set(texts)
        rows = [i for i, t in enumerate(texts) if t in cal]
        rest = [i for i, t in enumerate(texts) if t not in cal]
        y_rows = [labels[i] for i in rows]
        counts = {y: 0 for y in self.classes_}
        for y in y_rows:
            counts[y] += 1
        folds = min(folds, min(counts.values()))
        if folds < 2:
            return
        oof = self._oof(labels, rows, rest, folds, self.cfg.seed)
        if oof is None:  # the folds' features from their texts
            oof = oof_scores(self.cfg, [texts[i] for i in rows], y_rows,
                             [(texts[i], labels[i]) for i in rest], folds=folds, seed=self.cfg.seed)
        self.temperature = fit_temperature(oof, np.array([self.classes_.index(y) for y in y_rows]))

    def _oof(self, labels: Sequence[str], rows: Sequence[int], rest: Sequence[int], folds: int,
             seed: int) -> np.ndarray | None:
        """Out-of-fold decision scores (columns: ``classes_``) of ``rows``, in stratified folds, with
        the ``rest`` in every training fold, from the counts ``_fit_features`` kept; None where a
        fold's features cannot be derived from them (see ``_fold_features``)."""
        y_rows = [labels[i] for i in rows]
        oof = np.zeros((len(rows), len(self.classes_)))
        skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        rows_a, rest_a = np.array(rows, dtype=np.intp), np.array(rest, dtype=np.intp)
        for tr, va in skf.split(np.zeros(len(rows)), y_rows):
            train_rows = np.concatenate([rows_a[tr], rest_a])  # the order oof_scores fits them in
            fold = self._fold_features(train_rows, rows_a[va])
            if fold is None:
                return None
            clf = self._classifier().fit(fold[0], [labels[i] for i in train_rows])
            scores = np.asarray(clf.decision_function(fold[1]))
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            oof[np.ix_(va, [self.classes_.index(str(c)) for c in clf.classes_])] = scores
        return oof

    def decision_function_batch(self, texts: Sequence[str]) -> np.ndarray:
        scores = np.asarray(self.clf.decision_function(self.transform(texts)))
        return scores if scores.ndim == 2 else np.column_stack([-scores, scores])

    def predict_batch(self, texts: Sequence[str]) -> list[str]:
        return [self.classes_[i] for i in self.decision_function_batch(texts).argmax(1)]

    # -- fast path, one text -----------------------------------------------------------
    def _build_fast(self) -> None:
        self._fast = FastScorer(self)

    def decision_function(self, text: str) -> np.ndarray:
        """Decision scores for one text; equal (to ~1e-12) to the batch path."""
        if self._fast is None:
            self._build_fast()
        return self._fast.scores(text)

    def _proba(self, text: str) -> list[float]:
        """softmax(scores / T) in plain Python: for seven numbers cheaper than five numpy calls."""
        z = self.decision_function(text).tolist()
        top, t = max(z), self.temperature
        e = [math.exp((v - top) / t) for v in z]
        total = math.fsum(e)
        return [v / total for v in e]

    def predict_proba(self, text: str) -> dict[str, float]:
        return dict(zip(self.classes_, self._proba(text), strict=True))

    def top(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The ``k`` likeliest categories with their probabilities, likeliest first."""
        p = self._proba(text)
        order = sorted(range(len(p)), key=lambda i: -p[i])[:k]  # stable: ties keep the classes' order
        return [(self.classes_[i], p[i]) for i in order]

    def predict(self, text: str) -> str:
        return self.classes_[int(self.decision_function(text).argmax())]

    def check_fast_path(self, texts: Sequence[str], atol: float = 1e-8) -> float:
        """The largest difference between the fast path and scikit-learn; raises above ``atol``."""
        a = self.decision_function_batch(texts)
        b = np.vstack([self.decision_function(t) for t in texts])
        err = float(np.abs(a - b).max()) if len(texts) else 0.0
        if err >= atol:
            raise AssertionError(f"fast path differs from scikit-learn by {err}")
        return err

    @property
    def n_features(self) -> int:
        return sum(len(v.vocabulary_) for v in self.vecs)

    # -- files -------------------------------------------------------------------------
    def save(self, path: Path | str) -> str:
        """Write the model and return its sha256."""
        leaves = getattr(self, "leaves", None)
        fast, self._fast = self._fast, None
        leaf_fast = None
        if leaves is not None:
            leaf_fast, leaves._fast = leaves._fast, None
        try:
            joblib.dump(self, path, compress=3)
        finally:
            self._fast = fast
            if leaves is not None:
                leaves._fast = leaf_fast
        return file_sha256(path)

    @staticmethod
    def load(path: Path | str, sha256: str | None = None) -> Router:
        """Load a model, refusing a file whose checksum differs from ``sha256`` (when given)."""
        if sha256 is not None and file_sha256(path) != sha256:
            raise ModelIntegrityError(f"{path}: checksum does not match the registered one")
        router = joblib.load(path)
        if not isinstance(router, Router):
            raise ModelIntegrityError(f"{path}: not a router model")
        router._build_fast()
        if getattr(router, "leaves", None) is not None:
            router.leaves._build_fast()
        return router


class FastScorer:
    """One text's decision scores without scikit-learn, equal to the batch path to ~1e-12.

    Every block's vocabulary and the word list are hashed (``ngram_hash``) into one sorted key
    array; ``code`` packs, per key, the first block's column and whether the key is a word of the
    list or the start of a MAX_WORD-character one, and the other blocks map a key to their column
    (-1: not in the block).  A text is lower-cased
    and its whitespace runs collapsed once, as scikit-learn's char analyzer does (neither changes
    the runs of Han characters the words come from, so the words are the same); the hashes of
    all its n-grams, of every length a block or the word list needs, are computed together with
    numpy and looked up with one binary search (single characters of the Basic Multilingual Plane
    through a table by code point).  A title or body block takes the n-grams inside its part of
    the text; the words are the forward maximum match over the n-grams that are in the word list.
    The columns of all blocks are then counted together (tf) and each column's row of ``rows``
    = [idf, the classes' weights] (one 64-byte cache line for seven classes) is read once:
    x = tf·idf, normalised per block, times the weights.  (``np.take`` gathers the rows about three
    times faster than fancy indexing.)"""

    def __init__(self, router: Router):
        coef = np.asarray(router.clf.coef_, dtype=np.float64)
        inter = np.asarray(router.clf.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # two classes: scikit-learn keeps one row for the second
            coef, inter = np.vstack([-coef, coef]), np.array([-inter[0], inter[0]])
        self.inter = inter
        key_parts, col_parts, idf, lexicon, long_prefixes = [], [], [], None, None
        self.blocks, lengths, char_lengths, start = [], set(), set(), 0
        for v, b in zip(router.vecs, router.cfg.blocks, strict=True):
            terms = list(v.vocabulary_.items())
            keys = np.fromiter((ngram_hash(t) for t, _ in terms), dtype=np.uint64, count=len(terms))
            if len(np.unique(keys)) != len(keys):
                raise RuntimeError("n-gram hash collision inside the vocabulary")
            key_parts.append(keys)
            col_parts.append(np.fromiter((c for _, c in terms), dtype=np.int32, count=len(terms)) + start)
            idf.append(np.asarray(v.idf_, dtype=np.float64))
            words = getattr(b, "kind", "char") == "words"
            if words:
                if lexicon is not None and not np.array_equal(lexicon, v.analyzer.keys):
                    raise RuntimeError("word blocks with different word lists")
                lexicon = v.analyzer.keys
                long_prefixes = getattr(v.analyzer, "long_prefixes", None)
                lengths.update(range(2, MAX_WORD + 1))
            else:
                char_lengths.update(range(b.ngram[0], b.ngram[1] + 1))
            self.blocks.append((b.field, words, b.ngram[0], b.ngram[1], start, float(b.weight), b.sublinear_tf))
            start += len(terms)
        lengths |= char_lengths
        # the MAX_WORD-grams only where their first MAX_WORD - 1 characters start a word of the list
        self.sparse_long = long_prefixes is not None and MAX_WORD not in char_lengths
        width = 1 + coef.shape[0]
        buf = np.empty(start * width + 8, dtype=np.float64)
        skip = (-buf.ctypes.data % 64) // 8  # rows aligned on cache lines
        self.rows = buf[skip:skip + start * width].reshape(start, width)
        self.rows[:, 0] = np.concatenate(idf)
        self.rows[:, 1:] = coef.T
        self.block_starts = np.array([blk[4] for blk in self.blocks] + [start])
        self.lengths = sorted(lengths)
        self.searched = {n for n in lengths if n != MAX_WORD or not self.sparse_long}
        extra = ([lexicon] if lexicon is not None else []) + ([long_prefixes] if self.sparse_long else [])
        self.keys, inverse = np.unique(np.concatenate(key_parts + extra), return_inverse=True)
        n_keys, at = len(self.keys), 0
        if start >= _COLUMN:
            raise RuntimeError("too many features for the fast path")
        # code[key position]: 1 + the first block's column (0: not in it) | _WORD | _LONG_PREFIX; the
        # extra last entry is "not found".  The other blocks: maps[j][key position] = column, or -1.
        self.code = np.zeros(n_keys + 1, dtype=np.int32)
        self.maps = []
        for j, (keys, cols) in enumerate(zip(key_parts, col_parts, strict=True)):
            if j == 0:
                self.code[inverse[:len(keys)]] = cols + 1
                self.maps.append(None)
            else:
                m = np.full(n_keys + 1, -1, dtype=np.int32)
                m[inverse[at:at + len(keys)]] = cols
                self.maps.append(m)
            at += len(keys)
        self.bmp = None  # single characters of the Basic Multilingual Plane: key position by code point
        if 1 in lengths:
            h = np.arange(1 << 16, dtype=np.uint64) + np.uint64((HASH_SEED * HASH_MULTIPLIER) & HASH_MASK)
            p = np.minimum(np.searchsorted(self.keys, h), n_keys - 1)
            self.bmp = np.where(self.keys[p] == h, p, n_keys).astype(np.int32)
        self.words = lexicon is not None
        if self.words:
            self.code[inverse[at:at + len(lexicon)]] |= _WORD
            at += len(lexicon)
        if self.sparse_long:
            self.code[inverse[at:]] |= _LONG_PREFIX

    def scores(self, text: str) -> np.ndarray:
        s = WHITESPACE_RUNS.sub(" ", text.lower())
        cp = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
        n_chars, sep = len(cp), s.find(SEP)
        c64 = cp.astype(np.uint64)
        h = np.full(n_chars, HASH_SEED, dtype=np.uint64)
        mult = np.uint64(HASH_MULTIPLIER)
        singles, parts, offsets, at = None, [], np.zeros(self.lengths[-1] + 1, dtype=np.intp), 0
        for n in range(1, self.lengths[-1] + 1):
            if n_chars < n:
                break
            h = h[: n_chars - n + 1] * mult + c64[n - 1:]  # uint64 arithmetic wraps mod 2**64
            if n in self.lengths:  # the n-grams starting at i are at offsets[n] + i
                offsets[n] = at
                at += len(h)
                if n == 1 and self.bmp is not None and int(cp.max()) < 1 << 16:
                    singles = self.bmp[cp]
                elif n in self.searched:
                    parts.append(h)
        if not parts and singles is None:
            return self.inter.copy()
        n_keys = len(self.keys)
        if parts:
            q = np.concatenate(parts)
            pos = np.searchsorted(self.keys, q)
            np.minimum(pos, n_keys - 1, out=pos)
            pos[self.keys[pos] != q] = n_keys  # not found: every map's last entry
            if singles is not None:
                pos = np.concatenate([singles, pos])
        else:
            pos = singles.astype(np.intp)
        code = self.code[pos]
        if self.sparse_long and n_chars >= MAX_WORD:  # h: the MAX_WORD-grams' hashes
            long = np.full(n_chars - MAX_WORD + 1, n_keys, dtype=np.intp)
            prefix = offsets[MAX_WORD - 1]
            maybe = np.flatnonzero(code[prefix:prefix + n_chars - MAX_WORD + 1] & _LONG_PREFIX)
            if maybe.size:
                q = h[maybe]
                p = np.minimum(np.searchsorted(self.keys, q), n_keys - 1)
                long[maybe] = np.where(self.keys[p] == q, p, n_keys)
            pos = np.concatenate([pos, long])
            code = np.concatenate([code, self.code[long]])

        if self.words:  # forward maximum match, as WordSegmenter does
            han = (cp >= 0x4E00) & (cp <= 0x9FFF)
            best, all_han = np.ones(n_chars, dtype=np.int8), han
            is_word = (code & _WORD) != 0
            for n in range(2, min(MAX_WORD, n_chars) + 1):
                all_han = all_han[:-1] & han[n - 1:]
                best[: n_chars - n + 1][is_word[offsets[n]:offsets[n] + n_chars - n + 1] & all_han] = n
            cand = np.flatnonzero(best > 1)
            chosen, k, m = [], 0, len(cand)
            if m:  # the first candidate is a word, then the first candidate at or after each word's end
                nxt = np.searchsorted(cand, cand + best[cand]).tolist()
                while k < m:
                    chosen.append(k)
                    k = nxt[k]
            st = cand[chosen]
            ln = best[st].astype(np.intp)
            at_word = offsets[ln] + st  # the words' places in pos and code

        def columns(j: int, where) -> np.ndarray:
            return (code[where] & _COLUMN) - 1 if j == 0 else self.maps[j][pos[where]]

        found = []
        for j, (fld, is_words, nmin, nmax, *_) in enumerate(self.blocks):
            a, e = (0, n_chars) if fld == "full" or (fld == "body" and sep < 0) else \
                (0, max(sep, 0)) if fld == "title" else (sep + 1, n_chars)
            if is_words:
                found.append(columns(j, at_word if (a, e) == (0, n_chars) else at_word[(st >= a) & (st + ln <= e)]))
            elif (a, e) == (0, n_chars):  # the lengths nmin..nmax of the whole text are one slice
                hi = min(nmax, n_chars)
                if hi >= nmin:
                    found.append(columns(j, slice(offsets[nmin], offsets[hi] + n_chars - hi + 1)))
            else:
                found += [columns(j, slice(offsets[n] + a, offsets[n] + e - n + 1))
                          for n in range(nmin, min(nmax, e - a) + 1)]
        cols = np.concatenate(found) if found else np.zeros(0, dtype=np.int32)
        cols = cols[cols >= 0]
        if cols.size == 0:
            return self.inter.copy()
        cols.sort()  # np.unique(cols, return_counts=True), with less overhead
        first = np.empty(len(cols), dtype=bool)
        first[0] = True
        np.not_equal(cols[1:], cols[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        u = cols[starts]
        tf = np.empty_like(starts)
        tf[:-1] = starts[1:] - starts[:-1]
        tf[-1] = len(cols) - starts[-1]
        rows = np.take(self.rows, u, axis=0)
        x = tf * rows[:, 0]
        bounds = np.searchsorted(u, self.block_starts).tolist()
        for j, (*_, weight, sublinear) in enumerate(self.blocks):
            lo, hi = bounds[j], bounds[j + 1]
            if lo == hi:
                continue
            seg = x[lo:hi]
            if sublinear:
                seg[:] = (np.log(tf[lo:hi]) + 1.0) * rows[lo:hi, 0]
            seg *= weight / math.sqrt(seg @ seg)
        return self.inter + x @ rows[:, 1:]


def file_sha256(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def oof_scores(cfg: Config, texts: list[str], labels: list[str], always_train=(), folds: int = 5,
               seed: int = 0) -> np.ndarray:
    """Out-of-fold decision scores for (texts, labels), stratified K-fold; the (text, label)
    pairs of ``always_train`` join every training fold."""
    nocal = copy.deepcopy(cfg)
    nocal.calib_folds = 0
    extra_t = [t for t, _ in always_train]
    extra_l = [y for _, y in always_train]
    classes = sorted(set(labels) | set(extra_l))
    oof = np.zeros((len(texts), len(classes)))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for tr, va in skf.split(texts, labels):
        r = Router(nocal).fit([texts[i] for i in tr] + extra_t, [labels[i] for i in tr] + extra_l)
        scores = r.decision_function_batch([texts[i] for i in va])
        cols = [classes.index(c) for c in r.classes_]
        oof[np.ix_(va, cols)] = scores
    return oof


def cross_validate(cfg: Config, texts: Sequence[str], labels: Sequence[str], always_train=(), folds: int = 5,
                   seed: int = 0) -> tuple[np.ndarray, list[float]]:
    """(out-of-fold scores, macro-F1 of each fold) of ``cfg`` on (texts, labels) in stratified
    folds, the (text, label) pairs of ``always_train`` in every training fold and never scored:
    the protocol by which the router's configuration is chosen (docs/routing.md; the shared
    data's ``train_extra.csv`` is always-train, its texts having no title).  The texts are read
    once and each fold's features derived from those counts (``Router._fold_features``), so a
    5-fold run costs five classifier fits; the scores equal ``oof_scores``, which fits every fold
    from its texts.  Columns of the scores: the sorted labels."""
    from sklearn.metrics import f1_score

    texts, labels = list(texts), [str(y) for y in labels]
    extra_t, extra_l = [t for t, _ in always_train], [str(y) for _, y in always_train]
    nocal = copy.deepcopy(cfg)
    nocal.calib_folds = 0
    router = Router(nocal)
    router._n_rows = len(texts) + len(extra_t)
    router.classes_ = sorted(set(labels) | set(extra_l))
    router._fit_features(texts + extra_t)
    try:
        oof = router._oof(labels + extra_l, range(len(texts)), range(len(texts), router._n_rows), folds, seed)
    finally:
        router._counts = None
    if oof is None:
        oof = oof_scores(cfg, texts, labels, list(always_train), folds=folds, seed=seed)
    y = np.searchsorted(router.classes_, labels)
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    scores = [float(f1_score(y[va], oof[va].argmax(1), average="macro"))
              for _, va in skf.split(np.zeros(len(texts)), labels)]
    return oof, scores

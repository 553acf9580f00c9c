"""Labelled training and evaluation rows: CSV files with columns ``text,label``, and where
the shared complaint data lives (never inside the repository: its terms forbid redistribution)."""

import csv
import os
from pathlib import Path

from django.conf import settings

from .labels import label_to_code, top_level_codes


class DataError(Exception):
    """A training or evaluation file that cannot be used, with the reason."""


def complaints_dir() -> Path:
    """``MINSHENG_COMPLAINTS_DIR``, else ``../shared/data/complaints`` from the repository root."""
    if env := os.environ.get("MINSHENG_COMPLAINTS_DIR"):
        return Path(env)
    repo_root = Path(settings.PACKAGE_DIR).parent.parent  # src/minsheng → the checkout
    return (repo_root / ".." / "shared" / "data" / "complaints").resolve()


def read_csv(path: Path | str) -> list[tuple[str, str]]:
    """(text, top-level category code) per row of a UTF-8 CSV with a header ``text,label``."""
    names = top_level_codes()
    rows: list[tuple[str, str]] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or not {"text", "label"} <= set(reader.fieldnames):
                raise DataError(f"{path}: needs a header with the columns text,label")
            for line, row in enumerate(reader, start=2):
                text, label = (row.get("text") or "").strip(), (row.get("label") or "").strip()
                if not text:
                    continue
                code = label_to_code(label, names)
                if code is None:
                    raise DataError(f"{path}:{line}: unknown category {label!r}")
                rows.append((text, code))
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8") from None
    except csv.Error as exc:
        raise DataError(f"{path}: {exc}") from None
    if not rows:
        raise DataError(f"{path}: no labelled rows")
    return rows

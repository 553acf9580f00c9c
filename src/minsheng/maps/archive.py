"""Local tile archives: an MBTiles file (one SQLite file, the usual export of a tile server and
what a government intranet is handed) or a directory of ``{z}/{x}/{y}.png``.

Reads open the file read-only per call: SQLite opens in well under a millisecond, and no
connection is then shared between the threads that serve tiles.
"""

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

MAX_ZOOM = 22


@dataclass(frozen=True)
class ArchiveInfo:
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # west, south, east, north (WGS-84)
    attribution: str = ""


def valid_tile(z: int, x: int, y: int) -> bool:
    """Whether z/x/y names a tile of the Web Mercator pyramid at all."""
    return 0 <= z <= MAX_ZOOM and 0 <= x < 2**z and 0 <= y < 2**z


def connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def read_tile(path: Path, z: int, x: int, y: int) -> bytes | None:
    """The PNG of tile z/x/y (XYZ numbering, y from the north), or None when the archive lacks it."""
    if not valid_tile(z, x, y):
        return None
    if path.is_dir():
        tile = path / str(z) / str(x) / f"{y}.png"
        return tile.read_bytes() if tile.is_file() else None
    if not path.is_file():
        return None
    with closing(connect(path)) as db:
        # MBTiles numbers rows from the south (TMS).
        row = db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                         (z, x, 2**z - 1 - y)).fetchone()
    return bytes(row[0]) if row else None


def read_info(path: Path) -> ArchiveInfo | None:
    """Zoom range and bounds of the archive (None when there is no archive)."""
    if path.is_dir():
        zooms = sorted(int(p.name) for p in path.iterdir() if p.is_dir() and p.name.isdigit())
        if not zooms:
            return None
        meta = path / "metadata.json"
        data = json.loads(meta.read_text(encoding="utf-8")) if meta.is_file() else {}
        return _info(data, zooms[0], zooms[-1])
    if not path.is_file():
        return None
    with closing(connect(path)) as db:
        data = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        low, high = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    if low is None:
        return None
    return _info(data, low, high)


def _info(data: dict, low: int, high: int) -> ArchiveInfo:
    bounds = None
    if data.get("bounds"):
        west, south, east, north = (float(v) for v in str(data["bounds"]).split(","))
        bounds = (west, south, east, north)
    return ArchiveInfo(min_zoom=low, max_zoom=high, bounds=bounds, attribution=data.get("attribution", ""))


class MBTilesWriter:
    """Writes an MBTiles 1.3 file in one transaction, replacing the file only when complete,
    so that a server reading the old archive never sees a half-written one."""

    def __init__(self, path: Path, metadata: dict[str, str]):
        self.path = path
        self.partial = path.with_name(path.name + ".partial")
        self.partial.unlink(missing_ok=True)
        self.db = sqlite3.connect(self.partial)
        self.db.executescript("""
            CREATE TABLE metadata (name TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB,
                                PRIMARY KEY (zoom_level, tile_column, tile_row));
        """)
        self.db.executemany("INSERT INTO metadata VALUES (?, ?)", sorted(metadata.items()))

    def add(self, z: int, x: int, y: int, png: bytes) -> None:
        self.db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, 2**z - 1 - y, png))

    def close(self) -> None:
        self.db.commit()
        self.db.close()
        self.partial.replace(self.path)

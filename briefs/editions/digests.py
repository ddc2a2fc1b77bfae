"""File digests through the ledger's stat cache.

Only files whose stat moved are read and hashed ("racy git" rule: a file
modified within two seconds of its last hash is hashed again, since a
same-second edit leaves its stat unchanged).
"""

from __future__ import annotations

import time
from pathlib import Path

from briefs.editions.ledger import Ledger
from briefs.source.files import sha256_file, tree_digest

RACY_NS = 2_000_000_000


class Digests:
    """File digests, cached by stat in the ledger; :meth:`save` keeps new ones."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.cache = ledger.file_stats()
        self.changed: list[tuple[str, int, int, int, str, int]] = []

    def of(self, path: Path) -> str | None:
        """The file's sha256, or None when it does not exist or cannot be
        followed (a link loop); loading then says what is wrong with it."""
        try:
            st = path.stat()
        except OSError:
            return None
        key = str(path)
        cached = self.cache.get(key)
        if cached is not None:
            mtime, size, inode, digest, checked = cached
            same = (mtime, size, inode) == (st.st_mtime_ns, st.st_size, st.st_ino)
            if same and st.st_mtime_ns < checked - RACY_NS:
                return str(digest)
        checked = time.time_ns()
        digest = sha256_file(path)
        row = (st.st_mtime_ns, st.st_size, st.st_ino, digest, checked)
        self.cache[key] = row
        self.changed.append((key, *row))
        return digest

    def tree(self, folder: Path, suffixes: tuple[str, ...] | None = None) -> str:
        return tree_digest(folder, self.of, suffixes)

    def save(self) -> None:
        if self.changed:
            self.ledger.save_file_stats(self.changed)
            self.changed.clear()

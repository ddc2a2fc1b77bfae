"""Load WeasyPrint without running a compiler.

WeasyPrint asks cffi for each native library under half a dozen names. For
each name the dynamic linker cannot open as given, cffi calls
``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and then gcc
and ld: some twenty processes, a third of the import's time (0.45 s → 0.29 s on
our 2-core machine). WeasyPrint's list always includes the libraries' real
sonames (``libpango-1.0.so.0``), which the dynamic linker opens directly, so
while it loads, that search is skipped. On a system where only the search can
find a library, the import is simply tried again the ordinary way.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import io
import sys
from collections.abc import Iterator
from functools import cache
from types import ModuleType


def load_weasyprint() -> ModuleType:
    """``import weasyprint``, about 0.15 s faster the first time."""
    if "weasyprint" in sys.modules:
        return sys.modules["weasyprint"]
    try:
        # A failed attempt prints WeasyPrint's install help; the retry says it if needed.
        with _no_library_search(), contextlib.redirect_stdout(io.StringIO()):
            return importlib.import_module("weasyprint")
    except OSError:
        for name in [m for m in sys.modules if m.partition(".")[0] == "weasyprint"]:
            del sys.modules[name]
        return importlib.import_module("weasyprint")


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


@cache
def hb_subset_installed() -> bool:
    """Is HarfBuzz's subsetter loadable? Asked of the dynamic linker directly,
    which takes a millisecond where ``ctypes.util.find_library`` runs ldconfig."""
    try:
        ctypes.CDLL("libharfbuzz-subset.so.0")
    except OSError:
        return False
    return True

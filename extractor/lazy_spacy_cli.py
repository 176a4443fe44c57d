"""Importing spaCy without its command line.

spaCy's `__init__` imports `spacy.cli.info` for `spacy.info` alone, and with it the whole of
spaCy's command line: typer's app of every command, weasel, requests, httpx (about 0.4 s, a
sixth of a one-article `migrex extract`; spaCy itself is making it lazy, explosion/spaCy
PR 12962 and 13933). migrex never runs spaCy's command line. So when spaCy is about to be
imported, a stand-in takes the place of `spacy.cli.info` for spaCy's `__init__`: it gives it
an `info` that imports the real one at its first call, and leaves `sys.modules` as soon as
`__init__` has taken it, so that `import spacy.cli` (or `spacy.cli.info`) gets the real
modules whenever anyone asks for them.
"""

from __future__ import annotations

import importlib.abc
import sys
import types

INFO_MODULE = "spacy.cli.info"


def info(*args, **kwargs):
    """spaCy's `spacy.info`, its command line imported at the first call."""
    from spacy.cli.info import info as real_info

    return real_info(*args, **kwargs)


class _InfoStandIn(types.ModuleType):
    """`spacy.cli.info` while spaCy's `__init__` runs, until it has taken `info`."""

    def __getattr__(self, name: str):
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]  # taken: anyone after imports the real module
        if _FINDER in sys.meta_path:
            sys.meta_path.remove(_FINDER)
        if name == "info":
            return info
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")


class _BeforeSpacy(importlib.abc.MetaPathFinder):
    """Puts the stand-in in place when spaCy itself is looked up, then lets the usual finders
    find it (a spaCy imported by `import spacy.cli...` is looked up first, so the caller's
    modules are the real ones)."""

    def find_spec(self, name, path=None, target=None):
        if name == "spacy" and INFO_MODULE not in sys.modules:
            sys.modules[INFO_MODULE] = _InfoStandIn(INFO_MODULE)
        return None


_FINDER = _BeforeSpacy()


def defer_spacy_cli() -> None:
    """Look out for spaCy's import, unless spaCy is imported already."""
    if "spacy" not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)

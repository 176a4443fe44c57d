"""Locating and loading the shipped data files.

The data lives in the repository's top-level `models/` and is installed as the package
`extractor.models` (pyproject.toml maps one to the other, for a wheel and for `pip install -e`
alike), so it is found with importlib.resources wherever migrex is installed. `MIGREX_MODELS`
points at another directory of the same layout (an override, e.g. for trying new lexicons).
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib import resources
from pathlib import Path

OVERRIDE_VARIABLE = "MIGREX_MODELS"


def _shipped_dir() -> Path:
    try:
        root = resources.files("extractor.models")
    except ModuleNotFoundError:
        # a checkout on sys.path that was never installed: the data is beside the package
        root = Path(__file__).resolve().parent.parent / "models"
    return Path(str(root))  # files on disk: the package is never installed zipped


def models_dir() -> Path:
    """The directory of the data files: `$MIGREX_MODELS` if set, else the installed ones."""
    override = os.environ.get(OVERRIDE_VARIABLE)
    return Path(override) if override else _shipped_dir()


MODELS_DIR = models_dir()


@cache
def load_json(relative: str) -> dict | list:
    """A JSON data file (path relative to the data directory), parsed once per process."""
    path = MODELS_DIR / relative
    if not path.is_file():
        # checked here, not at import: spaCy imports migrex's components in every pipeline
        raise RuntimeError(f"migrex's data file {path} is missing; reinstall migrex or set "
                           f"{OVERRIDE_VARIABLE} to a directory that has it")
    return json.loads(path.read_text(encoding="utf-8"))

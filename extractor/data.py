"""Locating and loading the shipped data files under `models/`."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

MODELS_DIR = Path(os.environ.get("MIGREX_MODELS", Path(__file__).resolve().parent.parent / "models"))


@cache
def load_json(relative: str) -> dict | list:
    """A JSON data file from `models/`, parsed once per process."""
    return json.loads((MODELS_DIR / relative).read_text(encoding="utf-8"))

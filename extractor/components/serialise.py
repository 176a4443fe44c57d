"""What migrex's components save with a spaCy pipeline: the data files they were built from.

A component reads its lexicons and gazetteers from the installed data when it is created;
`nlp.to_disk` writes them into the component's directory and `spacy.load` reads them back, so a
saved pipeline carries its own copy and gives the same output wherever it is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import srsly

from ..data import load_json

DATA_FILE = "data.json"


class DataBacked:
    """Mixin for a component built from JSON files of the data directory.

    `data_files` names them (paths relative to the data directory); `self.data` holds their
    parsed contents, and `_setup()` builds the component's lookups from `self.data`."""

    data_files: tuple[str, ...] = ()
    data: dict[str, object]

    def _load_data(self) -> None:
        self.data = {name: load_json(name) for name in self.data_files}
        self._setup()

    def _setup(self) -> None:
        """Build the lookups from `self.data` (after creation and after loading)."""

    def _data_payload(self) -> dict:
        return {"files": self.data}

    def _restore(self, payload: dict) -> None:
        self.data = dict(payload["files"])
        self._setup()

    def to_disk(self, path, exclude=()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / DATA_FILE).write_text(json.dumps(self._data_payload(), ensure_ascii=False),
                                      encoding="utf-8")

    def from_disk(self, path, exclude=()):
        self._restore(json.loads((Path(path) / DATA_FILE).read_text(encoding="utf-8")))
        return self

    def to_bytes(self, exclude=()) -> bytes:
        return srsly.msgpack_dumps(self._data_payload())

    def from_bytes(self, data: bytes, exclude=()):
        self._restore(srsly.msgpack_loads(data))
        return self

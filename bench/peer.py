"""The peer glue a user would write instead of migrex: spaCy's small pipeline for actors,
dateparser for dates, quantulum3 for figures, sentence by sentence.

    python bench/peer.py setup          # the bench's own environment (never the project's)
    ENV/bin/python bench/peer.py run CORPUS.jsonl MODEL

`setup` makes a virtual environment at /tmp/migrex-bench-peer that sees the project's
packages (spaCy and its model) through a .pth file and adds dateparser and quantulum3 to it
alone, and prints its python.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

PEER_ENV = Path("/tmp/migrex-bench-peer")
PEER_PACKAGES = ["dateparser>=1.2,<2", "quantulum3>=0.9,<1"]
ACTOR_LABELS = {"GPE", "ORG", "NORP", "PERSON", "LOC"}


def peer_python() -> Path:
    """The peer environment's python, made and filled on first use."""
    python = PEER_ENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_ENV)], check=True)
        site = subprocess.run([str(python), "-c", "import sysconfig; "
                               "print(sysconfig.get_paths()['purelib'])"],
                              check=True, capture_output=True, text=True).stdout.strip()
        project = sysconfig.get_paths()["purelib"]  # with its .pth files, as the project sees it
        (Path(site) / "migrex-project.pth").write_text(
            f"import site; site.addsitedir({project!r})\n")
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
    return python


def run(corpus: str, model: str) -> None:
    """Actors, dates and quantities of every document, kept as a user's glue would keep them."""
    import json

    import dateparser.search
    import spacy
    from quantulum3 import classifier
    from quantulum3 import parser as quantities

    # its shipped classifier is pickled by another scikit-learn than the project's; without it
    # quantulum3 disambiguates units by frequency (its documented fallback)
    classifier.USE_CLF = False
    nlp = spacy.load(model)
    records = (json.loads(line) for line in open(corpus, encoding="utf-8"))
    pairs = ((record["text"], record.get("published")) for record in records)
    for doc, published in nlp.pipe(pairs, as_tuples=True, batch_size=32):
        settings = {"RELATIVE_BASE": _date(published)} if published else {}
        found = {"actors": [(e.text, e.label_) for e in doc.ents if e.label_ in ACTOR_LABELS],
                 "dates": [], "figures": []}
        for sent in doc.sents:
            found["dates"] += dateparser.search.search_dates(
                sent.text, languages=["en"], settings=settings) or []
            found["figures"] += [(q.value, q.unit.name) for q in quantities.parse(sent.text)]
        json.dumps(found, default=str)


def _date(text: str):
    from datetime import datetime

    return datetime.fromisoformat(text[:10])


if __name__ == "__main__":
    if sys.argv[1:2] == ["setup"]:
        print(peer_python())
    else:
        run(sys.argv[2], sys.argv[3])

"""migrex: structured, scored facts from migration and border-policy news."""

from .lazy_spacy_cli import defer_spacy_cli

__version__ = "0.1.0"

defer_spacy_cli()  # before any of migrex's modules imports spaCy

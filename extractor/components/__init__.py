"""migrex's spaCy components; importing this package registers their factories."""

from . import actors, attributes, dates, facts, figures, sentences  # noqa: F401

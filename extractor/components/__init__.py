"""migrex's spaCy components; importing this package registers their factories."""

from . import actors, attributes, dates, entities, facts, figures, sentences, syntax  # noqa: F401

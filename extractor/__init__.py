"""migrex: structured, scored facts from migration and border-policy news."""

__version__ = "0.1.0"

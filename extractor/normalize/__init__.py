"""Pure normalisation functions (no spaCy): numbers and dates."""

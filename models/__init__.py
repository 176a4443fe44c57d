"""migrex's shipped data (pipeline config, lexicons, gazetteers, figure models, JSON Schemas).

The directory stays at the top of the repository; the package build maps it to the package
`extractor.models` (see pyproject.toml), so a wheel or `pip install .` carries it and
`extractor.data` finds it with importlib.resources.
"""

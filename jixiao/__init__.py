__version__ = "0.1.0"

__all__ = ["__version__", "load"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    # Imported on first use, so that `jixiao --version` and the workers stay light.
    if name in ("load", "read_tables", "Dataset"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'jixiao' has no attribute {name!r}")

"""External and generated test material, with each source's LICENSE beside it.

One path helper, so no test guesses paths and none skips when a file is missing.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def vector_path(*parts: str) -> Path:
    """Path of a vector file; raises FileNotFoundError (never skips) when it is absent."""
    path = ROOT.joinpath(*parts)
    if not path.exists():
        raise FileNotFoundError(f"test vector missing: {path}")
    return path

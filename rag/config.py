"""One place for every setting, with its default and why. CLI flags and RAG_* environment
variables override these (see `Config.from_env`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT_ROOT / "seeds"


@dataclass(frozen=True)
class Config:
    # The folder of transcripts; the project's own seeds unless told otherwise.
    corpus: Path = DEFAULT_CORPUS
    # Passages of about this many characters (~80 words) read at a glance and embed well
    # with MiniLM's 256-token window; a single longer sentence stays whole.
    passage_chars: int = 500
    # Larger files are refused: transcripts are text, and 10 MB is ~30 hours of talk.
    max_file_mb: float = 10.0

    @classmethod
    def from_env(cls, **overrides) -> Config:
        """Defaults, then RAG_<FIELD> environment variables, then explicit overrides."""
        config = cls()
        for f in fields(cls):
            value = os.environ.get(f"RAG_{f.name.upper()}")
            if value is not None:
                config = replace(config, **{f.name: _convert(getattr(config, f.name), value)})
        return replace(config, **{k: v for k, v in overrides.items() if v is not None})


def _convert(default: object, value: str) -> object:
    if isinstance(default, Path):
        return Path(value)
    if isinstance(default, bool):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value

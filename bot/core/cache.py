"""Where derived data (the language model unpacked, knowledge embeddings) is cached between runs."""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """OPTOUT_CACHE_DIR, else data/cache in the project; created 0700 on first use."""
    path = Path(os.environ.get("OPTOUT_CACHE_DIR") or Path(__file__).resolve().parents[2] / "data" / "cache")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path

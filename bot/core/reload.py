"""Reload the knowledge base while the bot runs (SIGHUP, Telegram's owner-only /reload).

The new knowledge base is loaded and validated first; only when it is whole does it replace the one that
get_engine() and the default renderer hand out. A broken one raises KnowledgeError and the old one keeps serving.
"""
from __future__ import annotations

import threading

from . import engine as engine_module
from . import render as render_module

_lock = threading.Lock()


def reload_knowledge():
    """Returns the new Engine (also what get_engine() returns from now on). Raises KnowledgeError when broken."""
    with _lock:
        engine_module.Engine.load()  # validate first: raises KnowledgeError, nothing replaced
        engine_module.get_engine.cache_clear()
        render_module._default_renderer.cache_clear()
        return engine_module.get_engine()

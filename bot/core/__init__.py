"""The shared core: knowledge, matching, answering, rendering, storage. Never imports a chat library."""

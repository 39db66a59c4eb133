"""Chat adapters. Each imports its chat library itself; nothing here imports them eagerly."""

"""optout-bot: tells people how to stop platforms from training AI on their data."""

__version__ = "0.1.0"

import os as _os

# The judge's one matrix-vector product per message is small; a second OpenBLAS thread only fights the embedding
# model's own threads for the two cores (measured: p99 115 ms -> 15 ms a message). Set before numpy loads.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


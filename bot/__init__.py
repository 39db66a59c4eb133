"""optout-bot: tells people how to stop platforms from training AI on their data."""

__version__ = "0.1.0"

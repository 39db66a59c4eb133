"""The project's closed vocabularies, declared once and imported everywhere."""
from __future__ import annotations

LANGS = ("en", "es")  # languages answers are written in (every card has both)
MATCH_LANGS = ("en", "es", "pt", "fr", "de", "it")  # languages questions are understood in
REGIONS = ("eu", "uk", "ch", "us", "other")
PLATFORM_TOPICS = ("ai-training", "delete-data", "legal-objection")
DERIVED_TOPICS = ("region", "past-training")  # answered from the ai-training card's parts
GENERAL_TOPICS = ("website-crawlers", "opt-out-vs-opt-in", "about-bot")
ALL_TOPICS = PLATFORM_TOPICS + DERIVED_TOPICS + GENERAL_TOPICS
FORMATS = ("plain", "telegram", "discord")

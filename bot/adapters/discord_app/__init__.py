"""The Discord adapter's internals (discord.py). Entry point: bot.adapters.discord_bot.run(settings).

Never name a module here `discord`: it would shadow the library.
"""

"""Terminal chat: the same core and renderer as the chat adapters, plain text, no tokens needed."""
from __future__ import annotations

import sys

from ..core.engine import Engine, Query
from ..core.render import Renderer, text

REGIONS = ("eu", "uk", "ch", "us", "other")


class ConsoleChat:
    """One terminal conversation: remembers /lang and /region like a private chat would."""

    def __init__(self, engine: Engine, lang: str | None = None, region: str | None = None):
        self.engine, self.renderer = engine, Renderer(engine)
        self.lang, self.region = lang, region

    def reply(self, line: str) -> str | None:
        """The reply to one input line; None means: end the chat."""
        line = line.strip()
        ui_lang = self.lang or "en"
        if line in ("/quit", "/exit", "quit", "exit"):
            return None
        if line.startswith("/"):
            cmd, _, arg = line[1:].partition(" ")
            arg = arg.strip().lower()
            if cmd in ("start", "help"):
                return text("welcome" if cmd == "start" else "help", ui_lang)
            if cmd == "lang":
                if arg in ("en", "es"):
                    self.lang = arg
                    return text("lang_set", arg)
                return text("lang_usage", ui_lang)
            if cmd == "region":
                if arg in REGIONS:
                    self.region = arg
                    return text("region_set", ui_lang, region=text(f"region_{arg}", ui_lang))
                return text("region_usage", ui_lang)
            if cmd == "platforms":
                return self.renderer.platform_index("plain", ui_lang).text
            if cmd == "optout":
                if not arg:
                    return text("optout_usage", ui_lang)
                pid = self.engine.find_platform(arg)
                if not pid:
                    return text("platform_not_found", ui_lang, name=arg[:60])
                return self.renderer.render(self.engine.answer_for(pid, lang=ui_lang, region=self.region), "plain").text
            if cmd == "letter":
                pid = self.engine.find_platform(arg) if arg else None
                if not pid or pid == "general":
                    return text("letter_usage", ui_lang)
                import datetime as dt

                return self.renderer.letter(pid, "plain", ui_lang, dt.date.today().isoformat()).text
            if cmd == "forget":
                self.lang = self.region = None
                return text("forget_done", ui_lang)
        answer = self.engine.answer(Query(line, lang=self.lang, region=self.region, surface="console"))
        out = self.renderer.render(answer, "plain").text
        if answer.status == "clarify":
            names = ", ".join(c.name for c in answer.candidates)
            out += f"\n  → {names}"
        return out


def run_console(engine: Engine, lang: str | None = None, region: str | None = None,
                stdin=None, stdout=None) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    chat = ConsoleChat(engine, lang, region)
    interactive = stdin.isatty()
    if interactive:
        print(text("welcome", lang or "en"), file=stdout)
        print("(/help for commands, /quit to leave)\n", file=stdout)
    while True:
        if interactive:
            print("you> ", end="", file=stdout, flush=True)
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            print(file=stdout)
            return 0
        if not line:
            return 0
        reply = chat.reply(line)
        if reply is None:
            return 0
        print(reply + "\n", file=stdout, flush=True)

"""Terminal chat: the conversation layer in plain text. Glue only: lines in, wrapped text (or JSON) out."""
from __future__ import annotations

import asyncio
import json
import shutil
import sys
import textwrap

from ..core.conversation import Conversation, Reply, Turn
from ..core.engine import Engine
from ..core.memory_store import MemoryStore
from ..core.render import Renderer, text

QUIT = ("/quit", "/exit", "quit", "exit")


class ConsoleChat:
    """One terminal conversation: settings in memory, follow-ups and /more through the conversation layer."""

    def __init__(self, engine: Engine, lang: str | None = None, region: str | None = None, width: int | None = None):
        self.conv = Conversation(engine, Renderer(engine), MemoryStore())
        self.turn = Turn("console", "console", "you")
        self.initial = {k: v for k, v in (("lang", lang), ("region", region)) if v}
        self.width = width
        self.choices: list = []  # the last numbered choices: typing "2" picks the second

    async def start(self) -> None:
        if self.initial:
            await self.conv.store.update_user("console", "you", **self.initial)

    async def reply_to(self, line: str) -> Reply | None:
        """The conversation's reply to one input line; None means: end the chat."""
        line = line.strip()
        if line in QUIT:
            return None
        if line.isdigit() and 1 <= int(line) <= len(self.choices):
            return await self.conv.press(self.turn, self.choices[int(line) - 1].data)
        if line.startswith("/"):
            name, _, arg = line[1:].partition(" ")
            return await self.conv.command(self.turn, name.lower(), arg)
        return await self.conv.message(self.turn, line)

    async def reply(self, line: str) -> str | None:
        reply = await self.reply_to(line)
        return None if reply is None else self.show(reply)

    def show(self, reply: Reply) -> str:
        if reply.silent:
            return ""
        out = reply.text
        self.choices = [c for c in reply.choices if c.data]
        if self.choices:
            out += "\n" + "\n".join(f"  {i}. {c.label}" for i, c in enumerate(self.choices, 1))
        return wrap(out, self.width) if self.width else out


def wrap(body: str, width: int) -> str:
    """Wrap each line to the terminal width, keeping its indent; URLs are never broken."""
    lines = []
    for line in body.splitlines():
        indent = line[: len(line) - len(line.lstrip())]
        lines.extend(textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_long_words=False,
                                   break_on_hyphens=False) or [""])
    return "\n".join(lines)


def as_json(chat: ConsoleChat, reply: Reply | None) -> str:
    """The same keys as `ask --json`: the answer's fields, `text` as first shown, `full` the whole guide."""
    answer = reply.answer if reply else None
    out = answer.to_json() if answer else {"status": "message", "platform": None, "topic": None, "score": 0.0,
                                           "lang": None, "candidates": []}
    shown = chat.show(reply) if reply else ""
    full = shown
    if answer is not None and answer.status == "answer":
        full = chat.conv.renderer.full(answer, "plain").text
    return json.dumps({**out, "text": shown, "full": full}, ensure_ascii=False)


def run_console(engine: Engine, lang: str | None = None, region: str | None = None,
                stdin=None, stdout=None, as_jsonl: bool = False) -> int:
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    interactive = stdin.isatty() and not as_jsonl
    width = min(shutil.get_terminal_size((100, 24)).columns, 100) if interactive else None
    chat = ConsoleChat(engine, lang, region, width)
    return asyncio.run(_loop(chat, stdin, stdout, interactive, as_jsonl, lang))


async def _loop(chat: ConsoleChat, stdin, stdout, interactive: bool, as_jsonl: bool, lang: str | None) -> int:
    await chat.start()
    if interactive:
        print(text("welcome", lang or "en"), file=stdout)
        print("(/help for commands, /more for the whole guide, /quit to leave)\n", file=stdout)
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
        reply = await chat.reply_to(line.rstrip("\n"))
        if as_jsonl:
            print(as_json(chat, reply), file=stdout, flush=True)
            continue
        if reply is None:
            return 0
        print(chat.show(reply) + "\n", file=stdout, flush=True)

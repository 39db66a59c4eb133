"""The layering rules of DESIGN.md, checked: the core never imports a chat library; asking loads none."""
import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "bot" / "core"
CHAT_LIBRARIES = {"telegram", "discord", "aiohttp", "httpx"}


def test_core_never_imports_a_chat_library():
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] not in CHAT_LIBRARIES, f"{path.name} imports {name}"


def test_asking_a_question_loads_no_chat_library():
    code = ("import sys; from bot.cli import main; main(['ask', 'linkedin ai']); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('telegram', 'discord')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip().splitlines()[-1] == "[]"

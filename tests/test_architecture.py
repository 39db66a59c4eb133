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


ADAPTERS = Path(__file__).resolve().parents[1] / "bot" / "adapters"


def _lines(paths) -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines()) for p in paths)


def test_adapters_are_glue_the_policy_lives_in_the_conversation_layer():
    """No adapter judges a question, throttles a user or decides a group policy: bot/core/conversation.py does."""
    for path in ADAPTERS.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for policy in ("engine.answer", "bot.core.throttle", "RateLimit(", "Cooldown(", "faq_cooldown"):
            assert policy not in source, f"{path.name}: {policy}"
    # the chat glue; tg_concurrency.py (PTB's update scheduling and flood control, review F-1) is transport, not glue
    adapters = _lines(p for p in ADAPTERS.rglob("*.py") if p.name != "tg_concurrency.py")
    # the conversation layer and the core's share of what the adapters used to do: the answer form, limits and
    # fitting, throttles and the terminal's in-memory store
    layer = _lines(CORE / name for name in ("conversation.py", "render.py", "brief.py", "sources.py", "limits.py",
                                            "throttle.py", "memory_store.py", "alerts.py"))
    assert adapters < layer, (adapters, layer)  # issue 10: the adapters shrink to glue

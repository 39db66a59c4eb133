"""`kb links` against a loopback HTTP server (the machine has no internet; never other addresses)."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.core.knowledge import load
from bot.core.linkcheck import check_urls, collect_urls, summary_table


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _answer(self):
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/no-head" and self.command == "HEAD":
            self.send_response(405)
        elif self.path == "/no-head":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/ok")
        elif self.path == "/slow":
            time.sleep(2)
            self.send_response(200)
        else:
            self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_statuses_redirects_timeouts_and_refusals(server):
    import socket

    with socket.socket() as s:  # a loopback port with nothing listening
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/x"
    urls = {f"{server}/ok": ["a: sources"], f"{server}/missing": ["b: links"], f"{server}/no-head": ["c"],
            f"{server}/moved": ["d"], f"{server}/slow": ["e"], dead: ["f"]}
    results = {r.url: r for r in check_urls(urls, timeout=0.5, workers=6)}
    assert results[f"{server}/ok"].ok and results[f"{server}/ok"].status == 200
    assert not results[f"{server}/missing"].ok and results[f"{server}/missing"].status == 404
    assert results[f"{server}/no-head"].ok  # 405 on HEAD, then GET
    assert results[f"{server}/moved"].ok
    assert not results[f"{server}/slow"].ok and "timed out" in results[f"{server}/slow"].error.lower()
    assert not results[dead].ok and results[dead].status is None
    table = summary_table(list(results.values()))
    assert "6 links: 3 ok, 3 broken" in table and "b: links" in table


def test_collects_every_url_of_the_knowledge_base():
    urls = collect_urls(load())
    assert "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement" in urls
    assert any(w.startswith("crawlers:") for ws in urls.values() for w in ws)
    assert all(u.startswith(("http://", "https://")) for u in urls)

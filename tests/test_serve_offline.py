"""Serving on 0.0.0.0 makes no outside request: no public-IP look-up, no UDP "connect"
towards an outside resolver, no DNS query for another host.

The server runs in a subprocess with an audit hook that records every socket
connect and name look-up; after it has answered a health check it is stopped and
the record must hold local addresses only. With no users configured, the server
also warns that anyone who reaches it could upload and correct.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import PROJECT_DIR, free_port

LAUNCHER = """
import json, sys
record = open(sys.argv[1], "a")
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname",
                 "socket.sendto"):
        record.write(json.dumps([event, repr(args)[:200]]) + "\\n"); record.flush()
sys.addaudithook(hook)
from streamlit.web.cli import main
sys.argv = ["streamlit", "run", "serve.py", "--server.address", "0.0.0.0",
            "--server.port", sys.argv[2], "--server.headless", "true",
            "--server.fileWatcherType", "none"]
main()
"""
LOCAL = ("127.0.0.1", "'localhost'", "0.0.0.0", "::1", "'::'", "AF_UNIX")


def test_serving_on_all_interfaces_stays_local(tmp_path: Path, built_gazetteer) -> None:
    record = tmp_path / "sockets.jsonl"
    port = free_port()
    env = {"INCIDENTS_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"}
    output = tmp_path / "server.log"
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(record), str(port)],
                               cwd=PROJECT_DIR, env=env, stdout=subprocess.DEVNULL,
                               stderr=output.open("wb"))
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        time.sleep(2)
    finally:
        process.terminate()
        process.wait(timeout=20)
    events = [json.loads(line) for line in record.read_text().splitlines()]
    hostname = __import__("socket").gethostname()
    outside = [e for e in events
               if not any(local in e[1] for local in LOCAL) and hostname not in e[1]]
    assert outside == [], outside
    # With no users configured, serving beyond this machine says so.
    assert "WARNING: serving on 0.0.0.0 with no users configured" in output.read_text()

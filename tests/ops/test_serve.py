"""`make run`'s command starts web + worker + scheduler, serves the demo, and stops on Ctrl-C."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_everything_and_demo_pro_logs_in(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "DATABASE_URL", "SECRET_KEY"}
    }
    env.update(PYTHONPATH=str(SRC), PASSCULTURE_VAR=str(tmp_path), PASSCULTURE_ENV="embedded",
               SCHEDULER_TICK_SECONDS="1", MAP_TILE_URL="")  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "passculture", "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/comptes/connexion/", timeout=2) as response:
                    login_page = response.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("le serveur n’a pas répondu en 90 s")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{base}/comptes/connexion/").read()
        token = next(c.value for c in jar if c.name == "csrftoken")
        assert "csrfmiddlewaretoken" in login_page
        data = urllib.parse.urlencode(
            {
                "username": "pro@passculture.local",
                "password": "passculture-demo",
                "csrfmiddlewaretoken": token,
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/comptes/connexion/", data=data, headers={"Referer": base + "/"}
        )
        home = opener.open(request).read().decode()
        assert "Bonjour Camille" in home
        # The worker and scheduler run too: the health job beats within a few seconds.
        import sqlite3

        deadline = time.monotonic() + 90
        beats = 0
        while time.monotonic() < deadline and not beats:
            with sqlite3.connect(tmp_path / "passculture.sqlite3") as db:
                row = db.execute(
                    "SELECT count FROM core_heartbeat WHERE name='scheduler'"
                ).fetchone()
            beats = row[0] if row else 0
            time.sleep(1)
        assert beats >= 1, "the scheduler enqueued the health job and the worker ran it"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            output, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode == 0
    assert "pro@passculture.local" in output  # demo logins printed
    assert "Arrêté." in output
    # No child survives: nothing listens on the port any more.
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    assert not re.search(r"Traceback", output), output

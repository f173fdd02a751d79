"""Starts Wrenn's envd in debug mode on a free loopback port for the E2B Python SDK suite."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from e2b import Sandbox

REPO = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def envd():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    workdir = tempfile.mkdtemp(prefix="wrenn-pycompat-")
    proc = subprocess.Popen(
        [str(REPO / "bin" / "envd"), "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("ENVD_LOG") else subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=1) as r:
                if r.status == 204:
                    break
        except OSError:
            pass
        if time.time() > deadline:
            proc.kill()
            raise RuntimeError("envd did not become healthy")
        time.sleep(0.025)
    yield {"url": url, "workdir": workdir}
    proc.terminate()
    try:
        proc.wait(3)
    except subprocess.TimeoutExpired:
        proc.kill()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def sbx(envd):
    return Sandbox.create(debug=True, sandbox_url=envd["url"])

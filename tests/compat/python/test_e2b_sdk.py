"""The official E2B Python SDK against Wrenn's envd (debug mode, no VM)."""

import os
import time

import pytest
from e2b import CommandExitException, FileType, NotFoundException, PtySize



def test_run_stdout_stderr_exit(sbx):
    r = sbx.commands.run("echo out; echo err >&2")
    assert (r.exit_code, r.stdout, r.stderr) == (0, "out\n", "err\n")


def test_nonzero_exit_raises(sbx):
    with pytest.raises(CommandExitException) as exc:
        sbx.commands.run("exit 7")
    assert exc.value.exit_code == 7


def test_env_and_cwd(sbx, envd):
    r = sbx.commands.run('echo "$WRENN_PY"; pwd', envs={"WRENN_PY": "snake"}, cwd=envd["workdir"])
    assert r.stdout == f"snake\n{envd['workdir']}\n"


def test_background_list_stdin_kill(sbx):
    h = sbx.commands.run("cat", background=True, stdin=True)
    assert any(p.pid == h.pid for p in sbx.commands.list())
    sbx.commands.send_stdin(h.pid, "ping\n")
    assert sbx.commands.kill(h.pid) is True
    assert all(p.pid != h.pid for p in sbx.commands.list())
    assert sbx.commands.kill(h.pid) is False


def test_pty(sbx):
    out = bytearray()
    term = sbx.pty.create(PtySize(rows=24, cols=80))
    sbx.pty.send_stdin(term.pid, b"echo py-$((6*7)); exit\n")
    result = term.wait(on_pty=lambda data: out.extend(data))
    assert b"py-42" in out
    assert result.exit_code == 0


def test_files_roundtrip_binary(sbx, envd):
    data = os.urandom(3 * 1024 * 1024)
    path = f"{envd['workdir']}/py/blob.bin"
    sbx.files.write(path, data)
    assert bytes(sbx.files.read(path, format="bytes")) == data


def test_files_ops(sbx, envd):
    base = f"{envd['workdir']}/pyops"
    assert sbx.files.make_dir(f"{base}/d") is True
    assert sbx.files.make_dir(f"{base}/d") is False
    sbx.files.write(f"{base}/a.txt", "abc")
    names = {e.name: e for e in sbx.files.list(base)}
    assert names["a.txt"].type == FileType.FILE and names["a.txt"].size == 3
    assert names["d"].type == FileType.DIR
    assert sbx.files.exists(f"{base}/a.txt")
    info = sbx.files.rename(f"{base}/a.txt", f"{base}/d/b.txt")
    assert info.path == f"{base}/d/b.txt"
    assert sbx.files.get_info(f"{base}/d/b.txt").size == 3
    sbx.files.remove(base)
    assert not sbx.files.exists(base)
    with pytest.raises(NotFoundException):
        sbx.files.read(f"{base}/d/b.txt")


def test_watch_dir_polling(sbx, envd):
    d = f"{envd['workdir']}/pywatch"
    sbx.files.make_dir(d)
    handle = sbx.files.watch_dir(d)
    sbx.files.write(f"{d}/new.txt", "1")
    events = []
    deadline = time.time() + 5
    while time.time() < deadline and not any(e.name == "new.txt" for e in events):
        events.extend(handle.get_new_events())
        time.sleep(0.05)
    handle.stop()
    assert any(e.name == "new.txt" for e in events), events

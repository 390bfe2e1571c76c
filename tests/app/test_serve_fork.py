"""`ita serve` on SQLite: the process that forks the workers never holds the database open.

SQLite's own rule (https://www.sqlite.org/howtocorrupt.html, "carrying an open database
connection across a fork"): a child forked while its parent has the file open inherits the
parent's descriptors and lock bookkeeping, and can then write past another connection's lock
and corrupt the file.  gunicorn forks the workers from `ita serve`'s process at start and again
whenever a worker is replaced, so that process must never have the database open while it
serves.  The mixer therefore runs as a process of its own (`ita mix --watch`), not as a thread
beside the forking master.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app.proxy_stack import free_port

ITA = str(Path(sys.executable).with_name("ita"))


def _fds_on(pid: int, names: tuple[str, ...]) -> list[str]:
    """The paths of ``pid``'s open descriptors that name one of ``names``."""
    found = []
    try:
        entries = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return found
    for entry in entries:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{entry}")
        except OSError:
            continue
        if target.startswith(names):
            found.append(target)
    return found


def _children(pid: int) -> list[tuple[int, str]]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                out.append((int(entry), cmd))
        except (OSError, ValueError, IndexError):
            continue
    return out


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_the_forking_master_never_holds_the_sqlite_database_open(tmp_path):
    instance = tmp_path / "instance"
    port = free_port()
    env = {**os.environ, "ITA_INSTANCE_PATH": str(instance), "ITA_MIXER_INTERVAL": "0.1",
           "ITA_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("ITA_DATABASE_URL", None)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([ITA, "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--workers", "1", "--threads", "2"], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "serve.log").read_text()) from None
                time.sleep(0.2)
        database = str(instance / "ita.sqlite3")
        assert Path(database).exists(), sorted(p.name for p in instance.iterdir())
        # the mixer passes every 0.1 s: a thread of the master would hold the file open at
        # some of these samples
        held = []
        end = time.monotonic() + 3
        while time.monotonic() < end:
            held += _fds_on(proc.pid, (database,))
            time.sleep(0.002)
        assert held == [], f"the forking master had the database open: {sorted(set(held))}"
        mixers = [(pid, cmd) for pid, cmd in _children(proc.pid) if " mix --watch" in cmd]
        assert len(mixers) == 1, _children(proc.pid)
        mixer_pid = mixers[0][0]
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
    # stopping the server stops its mixer
    deadline = time.monotonic() + 10
    while Path(f"/proc/{mixer_pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not Path(f"/proc/{mixer_pid}").exists() or \
        "Z" in Path(f"/proc/{mixer_pid}/stat").read_text().rsplit(")", 1)[1].split()[0]

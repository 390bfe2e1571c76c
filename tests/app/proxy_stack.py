"""nginx (the system package, with deploy/nginx/ita.conf) in front of `ita serve` instances, on
loopback ports picked free at run time, with a small HTTPS client: used by
tests/app/test_behind_nginx.py and benchmarks/proxy_bench.py.

Everything started here is stopped when ``running_stack`` exits; every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from survey_app import create_app
from survey_app.extensions import db

from ..forking import CLI_MODULES, ForkingParent
from .conftest import app_config, full_answers

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx" / "ita.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REDIS_URL = os.environ.get("ITA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ITA = str(Path(sys.executable).with_name("ita"))
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process on port {port} exited: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {START_TIMEOUT_S} s: "
                       f"{log.read_text()[-3000:]}")


class Forked:
    """A process of the stack's forking parent (``ForkingParent.start``), seen as a ``Popen``
    is: its pid, ``poll``, ``wait``, ``terminate`` and ``kill``.  The parent reaps it, so it
    has ended once it is a zombie or gone (its exit status is the parent's to read)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                stat = Path(f"/proc/{self.pid}/stat").read_text()
                ended = stat.rsplit(")", 1)[1].split()[0] in ("Z", "X")
            except FileNotFoundError:
                ended = True
            if ended:
                self.returncode = -1  # ended; the status is the parent's
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"pid {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def terminate(self) -> None:
        os.kill(self.pid, signal.SIGTERM)

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


def _stop(proc: subprocess.Popen | Forked, *, group: bool) -> None:
    if proc.poll() is not None:
        return
    try:
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
        proc.wait(timeout=20)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL) if group else proc.kill()
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


# -- a small HTTPS client with cookies, keep-alive and a chosen source address ----------------

@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def field(self, name: str) -> str:
        match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', self.text)
        assert match, f"no {name} field in a {self.status} page"
        return match.group(1)


#: Every connection opened, for ``close_all`` (tests close them after each test).
_OPEN: list[http.client.HTTPConnection] = []


def close_all() -> None:
    while _OPEN:
        _OPEN.pop().close()


@dataclass
class Browser:
    port: int
    tls: bool = True
    source: str = "127.0.0.1"
    cafile: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)
    _conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.tls:
                context = ssl.create_default_context(cafile=self.cafile)
                self._conn = http.client.HTTPSConnection(
                    "127.0.0.1", self.port, context=context, timeout=60,
                    source_address=(self.source, 0))
            else:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=60, source_address=(self.source, 0))
            _OPEN.append(self._conn)
        return self._conn

    def request(self, method: str, path: str, *, form: dict | None = None,
                headers: dict | None = None) -> Reply:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        sent = {"Accept-Language": "th", **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):  # a kept-alive connection the server closed: open a new one
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=sent)
                response = conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(header)
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=thu, 01 jan 1970" in header.lower() or value == "":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return Reply(response.status, response.headers, data)

    def get(self, path: str, **kw) -> Reply:
        return self.request("GET", path, **kw)

    def post(self, path: str, form: dict, **kw) -> Reply:
        return self.request("POST", path, form=form, **kw)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# -- the stack: PostgreSQL database, Redis prefix, two `ita serve`, nginx ----------------------


#: `ita ARGS` in a started process (``ForkingParent.start``): a server, until it is stopped.
SERVE_JOB = textwrap.dedent("""
    def work(args):
        from survey_app.cli import main
        main.main(args=args, prog_name="ita")
""")

#: `ita ARGS` in a forked process: its exit status and what it printed.
CLI_JOB = textwrap.dedent("""
    def work(args):
        import contextlib, io
        from survey_app.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                main.main(args=args, prog_name="ita")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        return [code, out.getvalue()[-2000:]]
""")


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    folder: Path
    app_ports: list[int]
    https: int
    http: int
    cafile: str
    app: object  # a Flask app on the same database and secret, to seed and inspect
    servers: dict[int, Forked] = field(default_factory=dict)
    _cli_parent: ForkingParent | None = None
    _cli_lock: threading.Lock = field(default_factory=threading.Lock)

    def browser(self, source: str = "127.0.0.1") -> Browser:
        return Browser(self.https, source=source, cafile=self.cafile)

    def direct(self, index: int) -> Browser:
        """A client of one app server itself (plain HTTP on loopback, as nginx talks to it)."""
        return Browser(self.app_ports[index], tls=False)

    def start_server(self, index: int) -> None:
        """`ita serve` (gunicorn: its master and one worker of four threads) in a process
        group of its own, forked from the parent of ``cli`` that imported the app once, not
        a new interpreter importing it all again (as a new ``ita`` would: ~1.5 s of CPU)."""
        port = self.app_ports[index]
        log = self.folder / f"serve-{port}.log"
        proc = Forked(self._parent().start(
            SERVE_JOB, ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
                        "--threads", "4"], log))
        self.servers[index] = proc
        _wait_for(port, proc, log)

    def start_stopped(self) -> None:
        """Start again every server that is not running (one a test killed)."""
        for index, proc in self.servers.items():
            if proc.poll() is not None:
                self.start_server(index)

    def kill_server(self, index: int) -> None:
        """SIGKILL the gunicorn master and its workers at once (a crash, not a shutdown)."""
        proc = self.servers[index]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """An `ita` command in a process of its own with the servers' settings, forked from
        a parent that imported the app once (tests/forking.py): calls at once run at once."""
        code, output = self._parent().run(CLI_JOB, list(args))
        return subprocess.CompletedProcess([ITA, *args], code, output, "")

    def _parent(self) -> ForkingParent:
        with self._cli_lock:
            if self._cli_parent is None:
                self._cli_parent = ForkingParent(self.folder / "cli.log", env=self.env,
                                                 warm=CLI_MODULES)
        return self._cli_parent

    def close(self) -> None:
        """Stop the forking parent (after the servers: it waits for every process it forked)."""
        if self._cli_parent is not None:
            self._cli_parent.close()

    def scalar(self, sql: str, **params):
        with self.app.app_context():
            return db.session.execute(sa.text(sql), params).scalar()


def _nginx_config(folder: Path, stack_ports: list[int], https: int, http_port: int,
                  cert: Path, key: Path) -> Path:
    """The repository's site file with this test's ports, paths and name, in a main config of
    its own (pid, logs and temporary files in ``folder``)."""
    site = SITE.read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:8001", f"server 127.0.0.1:{stack_ports[0]}"),
        # One instance: the second line goes.
        ("server 127.0.0.1:8002 max_fails=1 fail_timeout=5s;",
         f"server 127.0.0.1:{stack_ports[1]} max_fails=1 fail_timeout=5s;"
         if len(stack_ports) > 1 else ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        ("server_name ita.example.go.th;", "server_name 127.0.0.1;"),
        ("/etc/letsencrypt/live/ita.example.go.th/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/ita.example.go.th/privkey.pem", str(key)),
        ("/opt/ita/app/", f"{REPO}/"),
        ("/var/log/nginx/ita.error.log", str(folder / "ita.error.log")),
        ("/var/www/letsencrypt", str(folder / "acme")),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx/ita.conf no longer has {old!r}"
        site = site.replace(old, new)
    (folder / "site.conf").write_text(site, encoding="utf-8")
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    user = "user root root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
    include {folder / 'site.conf'};
}}
"""
    conf = folder / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


def _self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        # An ECDSA P-256 key: made in a millisecond (RSA-2048: a fifth of a second), and
        # cheaper for nginx in each of the tests' hundreds of handshakes.
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60)
    return cert, key


def eit_submit(browser: Browser, token: str, answers: dict | None = None) -> int:
    page = browser.get(f"/eit/{token}")
    assert page.status == 200, page.text[:500]
    form = {"csrf_token": page.field("csrf_token"), "nonce": page.field("nonce"),
            "respondent_group": "public", **(answers or full_answers("EIT"))}
    return browser.post(f"/eit/{token}", form).status



@contextmanager
def running_stack(folder: Path, url: str, *, instances: int = 2,
                  settings: dict[str, str] | None = None) -> Iterator[Stack]:
    """Start ``instances`` `ita serve` (one worker of four threads each) on the migrated
    database at ``url`` and nginx in front of them over TLS; stop them all on exit."""
    folder.chmod(0o755)  # nginx's workers read the error pages and temporary files here
    secret = secrets.token_hex(32)
    app_ports = [free_port() for _ in range(instances)]
    https, http_port = free_port(), free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ITA_")},
        "ITA_DATABASE_URL": url, "ITA_SECRET_KEY": secret,
        "ITA_PUBLIC_BASE_URL": f"https://127.0.0.1:{https}",
        "ITA_INSTANCE_PATH": str(folder / "instance"),
        "ITA_PROXY_FIX": "1", "ITA_SESSION_COOKIE_SECURE": "true",
        # As deploy/ita.env.example: the mixer is a service of its own (`ita mix --watch`),
        # not a process beside each `ita serve`; the tests run `ita mix` where they need it.
        "ITA_MIXER_IN_SERVE": "false",
        **(settings or {}),
    }
    app = create_app(app_config(url, folder, SECRET_KEY=secret, WTF_CSRF_ENABLED=True))
    cert, key = _self_signed(folder)
    stack = Stack(url, env, folder, app_ports, https, http_port, str(cert), app)
    nginx = None
    try:
        for index in range(instances):
            stack.start_server(index)
        conf = _nginx_config(folder, app_ports, https, http_port, cert, key)
        nginx = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(conf),
                                  "-e", str(folder / "error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(https, nginx, folder / "error.log")
        yield stack
    finally:
        if nginx is not None:
            _stop(nginx, group=False)
        for proc in stack.servers.values():
            _stop(proc, group=True)
        stack.close()
        db.dispose(app)

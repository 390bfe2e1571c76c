"""A parent process that imports the app once and forks a fresh process for each job.

Tests that need the app in processes of their own (the shared rate limit's workers, the
deployment test's `ita mix` runs) would otherwise start an interpreter for each and import
Flask, SQLAlchemy, pandas and the app afresh: about 2 s of CPU apiece.  Each job here is still
a process of its own, forked from a parent that holds no database connection, thread or lock:
it sets the environment it is given, runs the job's ``work(args)`` (Python source sent with
the job) and writes back its result; jobs sent at once run at the same time.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

PARENT = textwrap.dedent("""
    import importlib, json, os, pkgutil, sys, traceback
    import survey_app, survey_app.admin, survey_app.cli, survey_app.respond
    import survey_app.factory, survey_app.rate_storage  # what create_app() imports when called
    for package in (survey_app.admin, survey_app.respond):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(module.name)
    for name in sys.argv[1:]:  # what the jobs import beyond the app (ForkingParent's ``warm``)
        importlib.import_module(name)
    results = os.dup(1)
    os.dup2(2, 1)  # a stray print goes to the log, not into the results
    running = set()

    def reap(block):
        for pid in list(running):
            if os.waitpid(pid, 0 if block else os.WNOHANG)[0]:
                running.discard(pid)

    def answer(line):
        os.write(results, (json.dumps(line) + "\\n").encode())  # one write: one whole line

    for line in sys.stdin:
        job = json.loads(line)
        pid = os.fork()
        if pid == 0:  # the job's process
            code = 1
            try:
                if job["log"] is not None:  # started: a session of its own, output to the log
                    os.setsid()
                    os.close(results)
                    for fd, path, flags in ((0, os.devnull, os.O_RDONLY),
                                            (1, job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND),
                                            (2, job["log"], os.O_WRONLY | os.O_APPEND)):
                        opened = os.open(path, flags, 0o644)
                        os.dup2(opened, fd)
                        os.close(opened)
                if job["env"] is not None:
                    os.environ.clear()
                    os.environ.update(job["env"])
                scope = {}
                exec(job["code"], scope)
                result = scope["work"](job["args"])
                if job["log"] is None:
                    answer({"id": job["id"], "result": result})
                code = 0
            except BaseException as exc:
                if job["log"] is not None and isinstance(exc, SystemExit):  # a command's end
                    code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
                else:
                    traceback.print_exc()
                    if job["log"] is None:
                        answer({"id": job["id"], "error": traceback.format_exc()[-2000:]})
            finally:
                for stream in (sys.stdout, sys.stderr):
                    try:
                        stream.flush()
                    except Exception:
                        pass
                os._exit(code)
        running.add(pid)
        if job["log"] is not None:
            answer({"id": job["id"], "result": pid})
        reap(block=False)
    reap(block=True)
""")


#: What an `ita` command's process imports beyond the app's packages: the commands, the schema
#: check (Alembic) that every command but `ita db upgrade` runs first, gunicorn's settings.
CLI_MODULES = ("survey_app.cli.commands", "survey_app.server", "survey_app.services.schema")


class ForkingParent:
    """``run(code, args, env=None)``: fork a process that runs ``work(args)`` from ``code``
    (with ``env`` as its whole environment, or the parent's); return what it returned.

    ``warm``: modules the jobs import beyond the app's packages, imported once in the parent
    instead of once per job (e.g. what every `ita` command imports: ``CLI_MODULES``)."""

    def __init__(self, log: Path, env: dict[str, str] | None = None, warm: tuple[str, ...] = ()):
        self.log = log
        with open(log, "ab") as err:
            self.process = subprocess.Popen([sys.executable, "-c", PARENT, *warm], env=env,
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=err, text=True)
        self.ids = itertools.count()
        self.results: dict[int, dict] = {}
        self.lock = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            done = json.loads(line)
            with self.lock:
                self.results[done["id"]] = done
                self.lock.notify_all()
        with self.lock:
            self.results[-1] = {}  # the parent ended
            self.lock.notify_all()

    def start(self, code: str, args, log: Path) -> int:
        """Fork a process that runs ``work(args)`` in a session of its own (a process group,
        as ``start_new_session``), its output appended to ``log``; return its pid at once.

        It is this parent's child: the parent reaps it (its CPU then counts as the parent's
        children's, and so as the test process's once the parent ends).  Stop it before
        ``close``, which waits for every job."""
        return self.run(code, args, log=str(log))

    def run(self, code: str, args, env: dict[str, str] | None = None, timeout: float = 120,
            log: str | None = None):
        with self.lock:
            job = next(self.ids)
            self.process.stdin.write(json.dumps({"id": job, "code": code, "args": args,
                                                 "env": env, "log": log}) + "\n")
            self.process.stdin.flush()
            ended = self.lock.wait_for(lambda: job in self.results or -1 in self.results,
                                       timeout)
            done = self.results.pop(job, None)
        assert ended and done is not None, f"no answer from the job: {self.log.read_text()[-2000:]}"
        assert "error" not in done, done["error"]
        return done["result"]

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.reader.join(10)
        self.process.stdout.close()

"""Settings: defaults here, then ``ITA_*`` environment variables, then explicit overrides.

Every setting can be given as an environment variable with the ``ITA_`` prefix, e.g.
``ITA_DATABASE_URL`` or ``ITA_SECRET_KEY`` (values are parsed as JSON when they can be, so
``ITA_PROXY_FIX=1`` is the number 1).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

#: Defaults for every setting the app reads.  ``None`` means "work it out at start-up".
DEFAULTS: dict[str, object] = {
    # SQLAlchemy URL; None = the embedded SQLite file ``ita.sqlite3`` in the instance folder.
    "DATABASE_URL": None,
    # Signs sessions, CSRF tokens and respondent tickets.  None = only allowed for the embedded
    # default, which generates one and keeps it in the instance folder.
    "SECRET_KEY": None,
    # Keys the HMAC of IIT access codes; None = derived from SECRET_KEY.  Set it separately if
    # you may ever rotate SECRET_KEY: changing it makes every unused code unusable.
    "CODE_HASH_KEY": None,
    # Absolute base URL of every link put into a QR code, a code slip or a poster (e.g.
    # https://ita.example.go.th).  Required with a server database; None is allowed only for
    # the embedded database (a laptop or the demo) and in tests, where links fall back to the
    # URL the request came in on.  Never taken from the request's Host header otherwise.
    "PUBLIC_BASE_URL": None,
    # Number of trusted reverse proxies in front of the app (for the client IP in rate limits).
    "PROXY_FIX": 0,
    # Local time zone: the day a response is stored on, and times shown to people.
    "TIMEZONE": "Asia/Bangkok",
    # Seconds a worker keeps the assessment behind a public token for the respondent pages
    # (a change made in this worker is seen at once, one made elsewhere within this time;
    # answers are stored only after reading the row itself).  0 = read it on every request.
    "ASSESSMENT_CACHE_SECONDS": 2.0,
    # Where rendered report files are kept (services/document_cache.py): None = the instance
    # folder's document-cache, "" = render every download.
    "DOCUMENT_CACHE_DIR": None,
    # Rate limits (Flask-Limiter syntax).  Code entry counts only rejected attempts, so a
    # staff room behind one IP address is not blocked by people typing valid codes.
    "CODE_RATE_LIMIT": "30 per 10 minutes;200 per day",
    "EIT_RATE_LIMIT": "60 per hour;500 per day",
    # memory:// counts in each worker; redis://127.0.0.1:6379/0 counts across all workers and
    # servers.  If the shared store is unreachable, limits fall back to each worker's memory
    # instead of failing the request (and the store is retried with a back-off).
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_KEY_PREFIX": "ita",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": False,
    # Flask / Flask-WTF
    "WTF_CSRF_TIME_LIMIT": 3600,
    # Flask-WTF's extra HTTPS check wants a Referer naming this host, but every page asks the
    # browser to send none (Referrer-Policy: no-referrer, the links carry tokens), so over
    # HTTPS it refused every console form.  The session-bound token and SameSite=Lax cookies
    # are the protection (tests/app/test_behind_nginx.py signs in through TLS).
    "WTF_CSRF_SSL_STRICT": False,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # The console's Google Forms import (upload and confirmation) may be larger than that.
    "IMPORT_MAX_BYTES": 8 * 1024 * 1024,
    "SEND_FILE_MAX_AGE_DEFAULT": 86400,
    # Bounded waits for the database, so that a locked or unreachable database answers a
    # respondent within seconds ("please send again"), never after the server's 60 s timeout.
    # SQLite: how long a writer waits for another writer's lock.
    "SQLITE_BUSY_TIMEOUT_MS": 5000,
    # PostgreSQL (connection options): a statement waiting for a lock, any one statement, and
    # opening a connection.  0 = no limit.  CLI commands (exports, reports, migrations) run
    # without the statement and lock limits: they are batch jobs.
    "DB_LOCK_TIMEOUT_MS": 5000,
    "DB_STATEMENT_TIMEOUT_MS": 15000,
    "DB_CONNECT_TIMEOUT_S": 5,
    # Console sign-ins: a server-side session lives at most this long (then sign in again).
    "ADMIN_SESSION_HOURS": 12,
    # The ballot box (SECURITY.md): IIT ballots reach the response table only in shuffled
    # batches of at least this many per assessment (the rest when the assessment closes).
    "MIX_BATCH": 5,
    # The mixer (services/ballots.py): seconds between its passes, and whether `ita serve` starts
    # it as a process (turn off when a separate `ita mix --watch` service runs it).
    "MIXER_INTERVAL": 2.0,
    "MIXER_IN_SERVE": True,
}

SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SQLITE_FILE = "ita.sqlite3"


class ConfigError(RuntimeError):
    """The settings cannot start a safe app."""


def default_database_url(instance_path: str | os.PathLike[str]) -> str:
    return f"sqlite:///{Path(instance_path) / SQLITE_FILE}"


def instance_secret(instance_path: str | os.PathLike[str]) -> str:
    """Return the secret kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / SECRET_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    # O_EXCL: if two workers race on first start, the loser reads the winner's secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secret + "\n")
    return secret


PUBLIC_BASE_URL_MISSING = (
    "ITA_PUBLIC_BASE_URL is not set. It is required with a server database (ITA_DATABASE_URL): "
    "QR codes, code slips and posters are built from it, never from the Host header a request "
    "claims. Set it to the public address, e.g. https://ita.example.go.th"
)


def check_public_base_url(value: str) -> str:
    """Return ``value`` without a trailing slash if it is an absolute http(s) base URL."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"ITA_PUBLIC_BASE_URL must be an absolute http(s) address such as "
            f"https://ita.example.go.th (no query or fragment), not {value!r}"
        )
    return value.strip().rstrip("/")


def finalise(config: dict, instance_path: str) -> None:
    """Fill in the settings that depend on others; refuse unsafe combinations."""
    embedded = not config.get("DATABASE_URL")
    if embedded:
        config["DATABASE_URL"] = default_database_url(instance_path)
    config["EMBEDDED_DATABASE"] = embedded
    if not config.get("SECRET_KEY"):
        if not embedded and not config.get("TESTING"):
            raise ConfigError(
                "ITA_SECRET_KEY is not set. It is required when ITA_DATABASE_URL points at a "
                "server database: every worker and server must share the same secret. "
                "Generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        config["SECRET_KEY"] = instance_secret(instance_path)
    batch = config.get("MIX_BATCH")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 2:
        raise ConfigError(
            f"ITA_MIX_BATCH must be a whole number of at least 2, not {batch!r}: IIT answers "
            "are mixed into the results only in batches of that many (see SECURITY.md)"
        )
    base = config.get("PUBLIC_BASE_URL")
    if base:
        config["PUBLIC_BASE_URL"] = check_public_base_url(str(base))
    # Without a public base URL, links fall back to the request's own URL only on a laptop or
    # the demo (the embedded database) and in tests; ``ita serve`` refuses to start otherwise.
    config["PUBLIC_URL_FROM_REQUEST"] = not base and (embedded or bool(config.get("TESTING")))
    if not config.get("CODE_HASH_KEY"):
        config["CODE_HASH_KEY"] = "code-hash:" + str(config["SECRET_KEY"])

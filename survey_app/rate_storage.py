"""A per-worker rate-limit store that starts no thread.

``limits``' ``MemoryStorage`` expires keys from a ``threading.Timer`` of 10 ms, and starts a new
one on a hit whenever the last has finished: under steady traffic that is a thread per rate-limit
hit (issue 19).  This store keeps the same counters but expires them where they are read: a
counter past its expiry is dropped by ``get`` (the library already does that), and a sweep of
every expired key runs inline at most once per :data:`SWEEP_SECONDS`, so memory stays bounded
by the keys of the last few seconds' clients.

``memory://`` in ``ITA_RATELIMIT_STORAGE_URI`` means this store (see ``register_extensions``);
``redis://…`` is unchanged.
"""

from __future__ import annotations

import threading
import time

from limits.storage import MemoryStorage

#: How often, at most, a hit sweeps every expired key (seconds).
SWEEP_SECONDS = 1.0

#: The scheme this store registers with ``limits`` (the app maps ``memory://`` to it).
SCHEME = "ita-memory"


class _NoTimer:
    """Stands in for the library's timer: never alive, never started."""

    def is_alive(self) -> bool:
        return True  # the library starts a new timer only when this one is not alive

    def start(self) -> None:  # pragma: no cover - never called
        pass

    def cancel(self) -> None:  # pragma: no cover - nothing to cancel
        pass


class ThreadlessMemoryStorage(MemoryStorage):
    """``MemoryStorage`` with expiry done inline instead of by a timer thread."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012  (the library reads this class attribute)

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        # The parent started one timer in __init__; let it run out and start no other.
        self.timer.cancel()
        self.timer = _NoTimer()  # type: ignore[assignment]
        self._sweep_lock = threading.Lock()
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def _sweep(self) -> None:
        now = time.monotonic()
        if now < self._next_sweep or not self._sweep_lock.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # the library's own sweep, run inline
        finally:
            self._sweep_lock.release()

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self._sweep()
        return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        self._sweep()
        return super().decr(key, amount)

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        self._sweep()
        return super().acquire_entry(key, limit, expiry, amount)

    def acquire_sliding_window_entry(self, key: str, limit: int, expiry: int,
                                     amount: int = 1) -> bool:
        self._sweep()
        return super().acquire_sliding_window_entry(key, limit, expiry, amount)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_sweep_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self.timer.cancel()
        self.timer = _NoTimer()  # type: ignore[assignment]
        self._sweep_lock = threading.Lock()


def storage_uri(configured: str) -> str:
    """The URI to give Flask-Limiter: ``memory://`` becomes this threadless store."""
    if configured.startswith("memory://"):
        return SCHEME + configured[len("memory"):]
    return configured

"""One protocol for every refusal a service raises: a key and the values its message needs.

A service never words a refusal: it raises a :class:`Refusal` subclass naming a key of the
catalogue :data:`survey_app.refusals.REFUSALS` (the words, translated through Flask-Babel) and
the values the words take (``%(name)s``).  A refusal that names several problems (every bad row
of an upload) carries one :class:`Reason` per problem; a value may itself be a Reason (a row's
problem inside "row %(row)s, %(problem)s").  The console shows them in the admin's language and
the CLI in English, both through :func:`survey_app.refusals.say`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reason:
    """One refused thing: the catalogue key of its message and the message's values."""

    key: str
    values: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:  # for logs and tracebacks; people read survey_app.refusals.say
        inner = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return f"{self.key}({inner})" if inner else self.key


def reason(key: str, /, **values: object) -> Reason:
    """One :class:`Reason`: ``reason("published_row_twice", row=3, which="2567")``."""
    return Reason(key, values)


class Refusal(ValueError):
    """What a service refuses, and why: ``Refusal(key, **values)``, or several ``reasons``."""

    def __init__(self, key: str | None = None, /, *, reasons: Iterable[Reason] = (),
                 **values: object) -> None:
        self.reasons: tuple[Reason, ...] = (
            ((Reason(key, values),) if key is not None else ()) + tuple(reasons))
        if not self.reasons:
            raise TypeError("a refusal needs a key or reasons")
        super().__init__(*self.reasons)

    @property
    def key(self) -> str:
        """The first (usually the only) reason's key."""
        return self.reasons[0].key

    @property
    def values(self) -> dict[str, object]:
        return self.reasons[0].values

    def __str__(self) -> str:
        return "; ".join(map(str, self.reasons))

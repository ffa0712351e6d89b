"""Messages of the Django-free core: marked for extraction, translated where shown.

The core returns a message's English template and its parameters; the shell translates
the template (``django.utils.translation.gettext``) and fills the parameters in. So the
core stays importable without Django and every message still reaches the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it (Django's own idiom)."""
    return message


@dataclass(frozen=True)
class Message:
    """A message for a reader: an English template with ``%(name)s`` holes and their values."""

    code: str
    template: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, translate: Callable[[str], str] = lambda s: s) -> str:
        return translate(self.template) % dict(self.params) if self.params else translate(self.template)

    def __str__(self) -> str:
        return self.text()

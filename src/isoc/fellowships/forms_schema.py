"""The configurable application form, as data. No Django here.

A call's form is a list of fields (JSON in the database, edited by staff):

    {"name": "motivation", "label": "Why this programme?", "kind": "long_text",
     "required": true, "max_length": 3000}

Kinds: ``text`` (one line), ``long_text``, ``choice`` (one of ``choices``),
``multiple_choice`` (any of ``choices``), ``date`` (YYYY-MM-DD, optional ``min``/``max``),
``number`` (optional ``min``/``max``, ``integer``), ``file`` (``allowed_types``: a subset
of pdf, png, jpeg, txt; ``max_size`` in bytes). ``parse_form`` checks a definition;
``validate`` turns what an applicant sent into a clean dict, or a list of errors each
naming its field. ``partial=True`` (saving a draft) skips the required checks only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from isoc.fellowships._text import Message, gettext_noop

KINDS = ("text", "long_text", "choice", "multiple_choice", "date", "number", "file")
FILE_TYPES = ("pdf", "png", "jpeg", "txt")
NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 10_000
MAX_FILE_SIZE = 20 * 1024 * 1024


class FormDefinitionError(ValueError):
    """A form definition that cannot be used; ``problems`` names each one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    min: float | str | None = None
    max: float | str | None = None
    integer: bool = False
    allowed_types: tuple[str, ...] = ()
    max_size: int = 5 * 1024 * 1024


@dataclass(frozen=True)
class Form:
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def file_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.kind == "file")


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Message


@dataclass
class Result:
    clean: dict = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _field(raw: object, i: int, problems: list[str]) -> Field | None:
    if not isinstance(raw, Mapping):
        problems.append(f"field {i}: not an object")
        return None
    name, kind, label = raw.get("name"), raw.get("kind"), raw.get("label")
    where = f"field {i} ({name!r})"
    if not isinstance(name, str) or not NAME.match(name):
        problems.append(f"{where}: name must be lower-case letters, digits and _ (at most 50), starting with a letter")
        return None
    if kind not in KINDS:
        problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
        return None
    if not isinstance(label, str) or not label.strip():
        problems.append(f"{where}: a label is needed")
        return None
    choices = raw.get("choices", [])
    if kind in ("choice", "multiple_choice"):
        if not isinstance(choices, list) or not choices or not all(isinstance(c, str) and c for c in choices):
            problems.append(f"{where}: choices must be a non-empty list of texts")
            return None
        if len(set(choices)) != len(choices):
            problems.append(f"{where}: choices repeat")
            return None
    types = raw.get("allowed_types", list(FILE_TYPES) if kind == "file" else [])
    if kind == "file" and (not isinstance(types, list) or not types or not set(types) <= set(FILE_TYPES)):
        problems.append(f"{where}: allowed_types must be a non-empty subset of {', '.join(FILE_TYPES)}")
        return None
    max_size = raw.get("max_size", 5 * 1024 * 1024)
    if not isinstance(max_size, int) or not (0 < max_size <= MAX_FILE_SIZE):
        problems.append(f"{where}: max_size must be a number of bytes up to {MAX_FILE_SIZE}")
        return None
    max_length = raw.get("max_length")
    if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
        problems.append(f"{where}: max_length must be a positive integer")
        return None
    lo, hi = raw.get("min"), raw.get("max")
    if kind == "number":
        for bound in (lo, hi):
            if bound is not None and (not isinstance(bound, int | float) or isinstance(bound, bool)):
                problems.append(f"{where}: min and max must be numbers")
                return None
    if kind == "date":
        for bound in (lo, hi):
            if bound is not None and _date(bound) is None:
                problems.append(f"{where}: min and max must be dates YYYY-MM-DD")
                return None
    return Field(name=name, label=label.strip(), kind=kind, required=bool(raw.get("required", False)),
                 help=str(raw.get("help", "")), choices=tuple(choices) if kind in ("choice", "multiple_choice") else (),
                 max_length=max_length, min=lo, max=hi, integer=bool(raw.get("integer", False)),
                 allowed_types=tuple(types) if kind == "file" else (), max_size=max_size)


def parse_form(definition: object) -> Form:
    """A form from its JSON definition (a list of fields); ``FormDefinitionError`` names
    every problem."""
    if not isinstance(definition, list):
        raise FormDefinitionError(["the form must be a list of fields"])
    problems: list[str] = []
    fields = [f for i, raw in enumerate(definition, 1) if (f := _field(raw, i, problems)) is not None]
    names = [f.name for f in fields]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"field name {dup!r} is used twice")
    if problems:
        raise FormDefinitionError(problems)
    return Form(tuple(fields))


def _date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _one(value: object) -> object:
    """A single submitted value: HTML forms send lists; the last one wins, as Django's."""
    if isinstance(value, list | tuple):
        return value[-1] if value else ""
    return value


def _err(name: str, code: str, template: str, **params) -> FieldError:
    return FieldError(name, Message(code, template, params))


def _text(f: Field, value: object) -> tuple[object, FieldError | None]:
    value = _one(value)
    if not isinstance(value, str):
        return None, _err(f.name, "type", gettext_noop("Enter text."))
    value = value.replace("\x00", "").strip()
    if f.kind == "text":
        value = " ".join(value.split())  # one line: no line breaks kept
    limit = f.max_length or (TEXT_LIMIT if f.kind == "text" else LONG_TEXT_LIMIT)
    if len(value) > limit:
        return None, _err(f.name, "too_long", gettext_noop("At most %(limit)s characters (this has %(length)s)."),
                          limit=limit, length=len(value))
    return value, None


def _choice(f: Field, value: object) -> tuple[object, FieldError | None]:
    if f.kind == "choice":
        value = _one(value)
        if value in ("", None):
            return "", None
        if value not in f.choices:
            return None, _err(f.name, "choice", gettext_noop("Choose one of the options offered."))
        return value, None
    values = value if isinstance(value, list | tuple) else ([] if value in ("", None) else [value])
    if not all(isinstance(v, str) and v in f.choices for v in values):
        return None, _err(f.name, "choice", gettext_noop("Choose only among the options offered."))
    return [c for c in f.choices if c in values], None  # the form's order, each once


def _date_value(f: Field, value: object) -> tuple[object, FieldError | None]:
    value = _one(value)
    if value in ("", None):
        return "", None
    d = _date(value)
    if d is None:
        return None, _err(f.name, "date", gettext_noop("Enter a date as YYYY-MM-DD."))
    if f.min is not None and d < _date(f.min):
        return None, _err(f.name, "min", gettext_noop("The date must be on or after %(min)s."), min=f.min)
    if f.max is not None and d > _date(f.max):
        return None, _err(f.name, "max", gettext_noop("The date must be on or before %(max)s."), max=f.max)
    return d.isoformat(), None


def _number(f: Field, value: object) -> tuple[object, FieldError | None]:
    value = _one(value)
    if value in ("", None):
        return "", None
    if isinstance(value, bool):
        return None, _err(f.name, "number", gettext_noop("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None, _err(f.name, "number", gettext_noop("Enter a number."))
    if not number.is_finite() or abs(number) > Decimal("1e15"):
        return None, _err(f.name, "number", gettext_noop("Enter a number."))
    if f.integer and number != number.to_integral_value():
        return None, _err(f.name, "integer", gettext_noop("Enter a whole number."))
    if f.min is not None and number < Decimal(str(f.min)):
        return None, _err(f.name, "min", gettext_noop("At least %(min)s."), min=f.min)
    if f.max is not None and number > Decimal(str(f.max)):
        return None, _err(f.name, "max", gettext_noop("At most %(max)s."), max=f.max)
    result = int(number) if f.integer else float(number)
    if isinstance(result, float) and not math.isfinite(result):
        return None, _err(f.name, "number", gettext_noop("Enter a number."))
    return result, None


def _empty(value: object) -> bool:
    return value in ("", None) or value == []


def validate(form: Form, answers: Mapping[str, object], *, files: Sequence[str] = (), partial: bool = False) -> Result:
    """Clean ``answers`` (from a web form or the API) against ``form``. ``files`` names the
    file fields that have a document uploaded already (uploads are checked when they
    arrive, by content). Unknown keys are ignored. ``partial``: a draft, nothing required."""
    result = Result()
    for f in form.fields:
        if f.kind == "file":
            if f.required and not partial and f.name not in files:
                result.errors.append(_err(f.name, "required", gettext_noop("Upload a file here.")))
            continue
        raw = answers.get(f.name, "")
        if f.kind in ("text", "long_text"):
            value, error = _text(f, raw)
        elif f.kind in ("choice", "multiple_choice"):
            value, error = _choice(f, raw)
        elif f.kind == "date":
            value, error = _date_value(f, raw)
        else:
            value, error = _number(f, raw)
        if error is not None:
            result.errors.append(error)
            continue
        if _empty(value):
            if f.required and not partial:
                result.errors.append(_err(f.name, "required", gettext_noop("This field is required.")))
            continue
        result.clean[f.name] = value
    return result


# --- uploaded files: the type is read from the content, never from the name ----------

_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sniff(head: bytes) -> str | None:
    """The document type of a file from its first bytes: ``pdf``, ``png``, ``jpeg`` or
    ``txt`` (UTF-8 without control characters); ``None`` for anything else (an executable
    renamed ``cv.pdf`` starts with ``MZ`` or ``\\x7fELF`` and is refused)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if not head or _CONTROL.search(head):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character: only that is forgiven.
        if exc.start < len(head) - 3:
            return None
    return "txt"


def check_upload(f: Field, head: bytes, size: int) -> Message | None:
    """Why an upload to file field ``f`` is refused (size, then type by content), or None."""
    if size <= 0:
        return Message("empty", gettext_noop("The file is empty."))
    if size > f.max_size:
        return Message("too_big", gettext_noop("The file is %(size)s KB; at most %(max)s KB is accepted."),
                       {"size": math.ceil(size / 1024), "max": f.max_size // 1024})
    kind = sniff(head)
    if kind is None or kind not in f.allowed_types:
        return Message("type", gettext_noop("This file is not one of the accepted types (%(types)s), judging by its "
                                            "content."), {"types": ", ".join(t.upper() for t in f.allowed_types)})
    return None

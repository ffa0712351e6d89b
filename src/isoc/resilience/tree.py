"""The IRI tree (pillars → dimensions → indicators) read from its versioned YAML file.

Django-free. ``load(path)`` validates the whole file and raises ``ConfigError`` naming
the path of the first bad node (``pillars[2].dimensions[0].indicators[1].weight``), so
a typo in a weight never reaches a computed score."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_DIR = Path(__file__).resolve().parent / "config"
DEFAULT_CONFIG = CONFIG_DIR / "iri-2026.1.yaml"
#: The collectors an indicator can name as its source ("worldbank:<code>" for any World Bank series).
SOURCES = {
    "enablers:ipv6": "isoc enabling technologies scan (ccTLD)",
    "enablers:https": "isoc enabling technologies scan (ccTLD)",
    "enablers:dnssec": "isoc enabling technologies scan (ccTLD)",
    "routing:roa-coverage": "isoc routing: country ROA coverage",
    "routing:invalid-share": "isoc routing: country RPKI-invalid share",
    "routing:manrs": "isoc routing: MANRS participants",
    "shutdowns:events": "isoc shutdown tracker",
    "infra:ixps": "isoc IXP register",
    "external": "imported third-party series (isoc resilience import-inputs)",
}
WORLDBANK = re.compile(r"^worldbank:[A-Z0-9]+(\.[A-Z0-9]+)+$")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
PILLARS = 4
RESERVED = "population"  # the divisor of per-capita indicators, an input of its own


class ConfigError(ValueError):
    """A bad tree file; ``path`` names the node (e.g. ``pillars[0].dimensions[1].weight``)."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    description: str
    unit: str
    weight: float
    higher_is_better: bool
    per_capita: bool
    source: str


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str
    weight: float
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class Pillar:
    code: str
    name: str
    dimensions: tuple[Dimension, ...]


@dataclass(frozen=True)
class Tree:
    version: str
    title: str
    pillars: tuple[Pillar, ...]

    def indicators(self) -> list[Indicator]:
        return [i for p in self.pillars for d in p.dimensions for i in d.indicators]

    def dimensions(self) -> list[Dimension]:
        return [d for p in self.pillars for d in p.dimensions]

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators() if i.code == code), None)


def _field(node: Any, key: str, path: str, kind: type | tuple, *, default: Any = None, required: bool = True) -> Any:
    if not isinstance(node, dict):
        raise ConfigError(path, "expected a mapping")
    if key not in node:
        if required:
            raise ConfigError(f"{path}.{key}" if path else key, "missing")
        return default
    value = node[key]
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise ConfigError(f"{path}.{key}" if path else key, f"expected a number, got {value!r}")
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{path}.{key}" if path else key, f"expected {names}, got {value!r}")
    return value


def _weight(node: dict, path: str) -> float:
    value = float(_field(node, "weight", path, (int, float)))
    if not math.isfinite(value) or value <= 0:
        raise ConfigError(f"{path}.weight", f"a weight must be a positive number, got {value!r}")
    return value


def _code(node: dict, path: str, seen: dict[str, str]) -> str:
    code = _field(node, "code", path, str)
    if not CODE.match(code):
        raise ConfigError(f"{path}.code", f"{code!r} is not a code (lowercase letters, digits and hyphens, at most 40)")
    if code == RESERVED:
        raise ConfigError(f"{path}.code", f"{code!r} is reserved for the population input")
    if code in seen:
        raise ConfigError(f"{path}.code", f"{code!r} is already used at {seen[code]}")
    seen[code] = path
    return code


def _list(node: dict, key: str, path: str) -> list:
    items = _field(node, key, path, list)
    if not items:
        raise ConfigError(f"{path}.{key}" if path else key, "must not be empty")
    return items


def _indicator(node: Any, path: str, seen: dict[str, str]) -> Indicator:
    code = _code(node, path, seen)
    source = _field(node, "source", path, str)
    if source not in SOURCES and not WORLDBANK.match(source):
        raise ConfigError(f"{path}.source", f"unknown source {source!r} (known: {', '.join(sorted(SOURCES))}, worldbank:<CODE>)")
    return Indicator(code=code, name=_field(node, "name", path, str), description=_field(node, "description", path, str, default="", required=False),
                     unit=_field(node, "unit", path, str, default="", required=False), weight=_weight(node, path),
                     higher_is_better=_field(node, "higher_is_better", path, bool),
                     per_capita=_field(node, "per_capita", path, bool, default=False, required=False), source=source)


def parse(data: Any) -> Tree:
    """A validated tree from the YAML file's data."""
    if not isinstance(data, dict):
        raise ConfigError("", "the file must be a mapping with version, title and pillars")
    version = _field(data, "version", "", str)
    if not version.strip():
        raise ConfigError("version", "must not be empty")
    # Pillar, dimension and indicator codes share one namespace: they are the keys of
    # the stored scores and of the download's columns.
    seen: dict[str, str] = {}
    pillars = []
    for p, pnode in enumerate(_list(data, "pillars", "")):
        ppath = f"pillars[{p}]"
        pcode = _code(pnode, ppath, seen)
        dimensions = []
        for d, dnode in enumerate(_list(pnode, "dimensions", ppath)):
            dpath = f"{ppath}.dimensions[{d}]"
            dcode = _code(dnode, dpath, seen)
            indicators = tuple(_indicator(inode, f"{dpath}.indicators[{i}]", seen)
                               for i, inode in enumerate(_list(dnode, "indicators", dpath)))
            dimensions.append(Dimension(dcode, _field(dnode, "name", dpath, str), _weight(dnode, dpath), indicators))
        pillars.append(Pillar(pcode, _field(pnode, "name", ppath, str), tuple(dimensions)))
    if len(pillars) != PILLARS:
        raise ConfigError("pillars", f"the index has {PILLARS} pillars, the file has {len(pillars)}")
    return Tree(version=version, title=_field(data, "title", "", str, default="Internet Resilience Index", required=False),
                pillars=tuple(pillars))


def load(path: Path | str = DEFAULT_CONFIG) -> Tree:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError("", f"cannot read {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError("", f"{path} is not valid YAML: {exc}") from None
    return parse(data)


_default: Tree | None = None


def default() -> Tree:
    """The tree in force (the shipped file), read once."""
    global _default
    if _default is None:
        _default = load(DEFAULT_CONFIG)
    return _default

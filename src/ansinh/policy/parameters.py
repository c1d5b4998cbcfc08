"""Dated legal parameters: loading, validation, lookup and office overrides.

Every number set by law lives in a YAML file under ``ansinh/policy/parameters/``; the folder
path gives the parameter its dotted name (``contribution/rate.yaml`` -> ``contribution.rate``).
A file looks like::

    description: Contribution rate, share of the declared income
    unit: /1                      # currency-VND, /1, month, year, boolean, enum or date
    values:
      2025-07-01:                 # effective date (ISO)
        value: "0.22"             # rates as quoted strings: never floats
        reference: {document: Law 41/2024/QH15, article: Art. 36(1), link: https://...,
                    document_vi: Luật 41/2024/QH15, article_vi: Điều 36 khoản 1}
        confidence: confirmed     # confirmed | secondary | assumed
      2030-01-01:
        value: null               # null ends the value (still with its reference)
        ...

A value may also be a table (a mapping, possibly nested); its leaves use the file's unit.

Lookup rule: the value in force on a date is the entry with the latest start on or before that
date; a ``null`` entry means "no value in force" from its start.

Overrides: an office administrator may enter dated values without a code change. The Django
side builds them (from a database table) and layers them on the tree::

    tree = load_default_tree().with_overrides([
        Override(name="contribution.fund_yield", start=date(2026, 1, 1), value=Decimal("0.0035"),
                 reference=Reference("CV 123/BHXH-ĐTQ", "whole letter", "https://..."),
                 confidence="confirmed"),
    ])

An override with the same name and start as a file entry replaces it; otherwise it is added.
Overrides are validated exactly like file entries (known parameter, unit, reference, confidence)
and the original tree is left unchanged.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from ansinh.policy.errors import ParameterFileError, ParameterNotFound

UNITS = frozenset({"currency-VND", "/1", "month", "year", "boolean", "enum", "date"})
CONFIDENCES = frozenset({"confirmed", "secondary", "assumed"})
DEFAULT_DIR = Path(__file__).resolve().parent / "parameters"

Scalar: TypeAlias = Decimal | int | bool | str | date
Value: TypeAlias = Scalar | Mapping[str, "Value"]


@dataclass(frozen=True)
class Reference:
    """Where a value comes from: document number, article, link; the document and article in
    English (``document``, ``article``: the CLI, English pages) and in Vietnamese
    (``document_vi``, ``article_vi``: Vietnamese pages and the villager's sheets). The parameter
    files give both; an office's override is typed once, in the office's words, and shown as
    typed (the ``_vi`` fields empty)."""

    document: str
    article: str
    link: str = ""
    document_vi: str = ""
    article_vi: str = ""

    def in_language(self, language: str) -> tuple[str, str]:
        """(document, article) worded for ``language`` ("vi" or another code: English)."""
        if language.startswith("vi") and self.document_vi:
            return self.document_vi, self.article_vi
        return self.document, self.article

    def to_dict(self) -> dict[str, str]:
        return {"document": self.document, "article": self.article, "link": self.link}


@dataclass(frozen=True)
class ParamValue:
    """One dated value of a parameter (``value`` None = the value ended on ``start``)."""

    name: str
    start: date
    value: Value | None
    unit: str
    reference: Reference
    confidence: str

    @property
    def provisional(self) -> bool:
        return self.confidence != "confirmed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "start": self.start.isoformat(),
            "value": jsonable(self.value),
            "unit": self.unit,
            "confidence": self.confidence,
            **self.reference.to_dict(),
        }


@dataclass(frozen=True)
class Override:
    """A dated value entered by an office administrator, layered on the file values."""

    name: str
    start: date
    value: Any
    reference: Reference
    confidence: str = "confirmed"


@dataclass(frozen=True)
class Parameter:
    """All dated values of one parameter, sorted by start date."""

    name: str
    description: str
    unit: str
    starts: tuple[date, ...]
    entries: tuple[ParamValue, ...]

    def find(self, on: date) -> ParamValue | None:
        i = bisect.bisect_right(self.starts, on)
        if i == 0:
            return None
        entry = self.entries[i - 1]
        return None if entry.value is None else entry


def jsonable(value: object) -> Any:
    """Decimal -> str, date -> ISO, mappings/sequences recursively; ints, bools, str unchanged."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _convert_leaf(unit: str, raw: object, where: str) -> Scalar:
    """Convert one YAML leaf to the Python type of its unit; raise ValueError on a bad type."""
    if isinstance(raw, float):
        raise ValueError(f'{where}: floats are not allowed, quote the number ("{raw}")')
    if unit == "boolean":
        if not isinstance(raw, bool):
            raise ValueError(f"{where}: expected true/false, got {raw!r}")
        return raw
    if unit == "date":
        if isinstance(raw, date):
            return raw
        if isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
        raise ValueError(f"{where}: expected an ISO date, got {raw!r}")
    if unit == "enum":
        if not isinstance(raw, str) or not raw:
            raise ValueError(f"{where}: expected a non-empty string, got {raw!r}")
        return raw
    if isinstance(raw, bool) or not isinstance(raw, (int, str, Decimal)):
        raise ValueError(f"{where}: expected a number, got {raw!r}")
    try:
        number = Decimal(raw) if not isinstance(raw, Decimal) else raw
    except InvalidOperation:
        raise ValueError(f"{where}: not a number: {raw!r}") from None
    if not number.is_finite():
        raise ValueError(f"{where}: not a finite number: {raw!r}")
    if unit == "/1":
        return number
    if number != number.to_integral_value():
        raise ValueError(f"{where}: {unit} values must be whole numbers, got {raw!r}")
    return int(number)


def _convert_value(unit: str, raw: object, where: str) -> Value | None:
    if raw is None:
        return None
    if isinstance(raw, Mapping):
        table: dict[str, Value] = {}
        for key, item in raw.items():
            if isinstance(key, float) or key is None:
                raise ValueError(f"{where}: bad table key {key!r}")
            converted = _convert_value(unit, item, f"{where}[{key}]")
            if converted is None:
                raise ValueError(f"{where}[{key}]: null is not allowed inside a table")
            table[str(key)] = converted
        return table
    return _convert_leaf(unit, raw, where)


def _parse_date(raw: object, where: str) -> date:
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ValueError(f"{where}: effective date must be ISO YYYY-MM-DD, got {raw!r}")


REFERENCE_KEYS = ("document", "article", "link", "document_vi", "article_vi")


def _parse_reference(raw: object, where: str) -> Reference:
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: reference {{{', '.join(REFERENCE_KEYS)}}} is missing")
    parts: dict[str, str] = {}
    for key in REFERENCE_KEYS:
        item = raw.get(key)
        if not isinstance(item, str) or (key != "link" and not item.strip()):
            raise ValueError(f"{where}: reference.{key} must be a non-empty string")
        parts[key] = item.strip()
    if parts["link"] and not parts["link"].startswith(("http://", "https://")):
        raise ValueError(f"{where}: reference.link must be an http(s) URL or empty")
    extra = set(raw) - set(REFERENCE_KEYS)
    if extra:
        raise ValueError(f"{where}: unknown reference keys {sorted(extra)}")
    for key in ("document", "article"):
        # the English wording must not be Vietnamese, nor the Vietnamese one English
        if _VIETNAMESE_WORDS.search(parts[key]):
            raise ValueError(f"{where}: reference.{key} is the English wording, got "
                             f"{parts[key]!r} (Vietnamese goes in {key}_vi)")
        if _ENGLISH_WORDS.search(parts[f"{key}_vi"]):
            raise ValueError(f"{where}: reference.{key}_vi is the Vietnamese wording, got "
                             f"{parts[key + '_vi']!r}")
    return Reference(**parts)


# Words that give a reference away as written in the other language.
_VIETNAMESE_WORDS = re.compile(r"\b(Luật|Nghị định|Điều|khoản|điểm|Thông tư|Công văn)\b")
_ENGLISH_WORDS = re.compile(r"\b(Law|Decree|Art\.|Circular|Decision|Code|Letter|Appendix|of)\b")


def _parse_confidence(raw: object, where: str) -> str:
    if raw not in CONFIDENCES:
        raise ValueError(f"{where}: confidence must be one of {sorted(CONFIDENCES)}, got {raw!r}")
    assert isinstance(raw, str)
    return raw


def _build_parameter(
    name: str, description: str, unit: str, entries: Iterable[ParamValue]
) -> Parameter:
    ordered = sorted(entries, key=lambda e: e.start)
    starts = tuple(e.start for e in ordered)
    for a, b in itertools.pairwise(starts):
        if a == b:
            raise ValueError(f"duplicate effective date {a.isoformat()}")
    return Parameter(name, description, unit, starts, tuple(ordered))


def parse_parameter(name: str, data: object) -> Parameter:
    """Validate one parsed YAML document and build the parameter (ValueError on problems)."""
    if not isinstance(data, Mapping):
        raise ValueError("the file must be a mapping with description, unit and values")
    extra = set(data) - {"description", "unit", "values", "notes"}
    if extra:
        raise ValueError(f"unknown top-level keys {sorted(map(str, extra))}")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description is missing")
    unit = data.get("unit")
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {sorted(UNITS)}, got {unit!r}")
    assert isinstance(unit, str)
    values = data.get("values")
    if not isinstance(values, Mapping) or not values:
        raise ValueError("values must be a non-empty mapping keyed by effective date")
    entries: list[ParamValue] = []
    seen: set[date] = set()
    for raw_start, raw_entry in values.items():
        start = _parse_date(raw_start, "values")
        where = f"values[{start.isoformat()}]"
        if start in seen:
            raise ValueError(f"duplicate effective date {start.isoformat()}")
        seen.add(start)
        if not isinstance(raw_entry, Mapping) or "value" not in raw_entry:
            raise ValueError(f"{where}: expected a mapping with value, reference, confidence")
        unknown = set(raw_entry) - {"value", "reference", "confidence", "note"}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(map(str, unknown))}")
        entries.append(
            ParamValue(
                name=name,
                start=start,
                value=_convert_value(unit, raw_entry["value"], where),
                unit=unit,
                reference=_parse_reference(raw_entry.get("reference"), where),
                confidence=_parse_confidence(raw_entry.get("confidence"), where),
            )
        )
    return _build_parameter(name, description.strip(), unit, entries)


@dataclass(frozen=True)
class ParameterTree:
    """All parameters by dotted name; immutable. ``with_overrides`` returns a new tree."""

    parameters: Mapping[str, Parameter]
    source: str = ""
    overrides: tuple[Override, ...] = field(default=())

    def names(self) -> list[str]:
        return sorted(self.parameters)

    @functools.cached_property
    def key(self) -> str:
        """A digest of every value the tree holds: equal for equal trees, different for any
        other, so caches can key on it (an object's `id()` is reused once it is freed, and a
        stale price could come back after an override changes)."""
        content = repr([
            (name, [(e.start.isoformat(), jsonable(e.value), e.confidence)
                    for e in self.parameters[name].entries])
            for name in sorted(self.parameters)
        ])
        return hashlib.sha256(content.encode()).hexdigest()

    def parameter(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterNotFound(name, "(any date)") from None

    def find(self, name: str, on: date) -> ParamValue | None:
        """The value in force on ``on``, or None if none is (before the first start / ended)."""
        return self.parameter(name).find(on)

    def get(self, name: str, on: date) -> ParamValue:
        """The value in force on ``on``; ParameterNotFound if none is."""
        found = self.parameter(name).find(on)
        if found is None:
            raise ParameterNotFound(name, on.isoformat())
        return found

    def with_overrides(self, overrides: Iterable[Override]) -> ParameterTree:
        """A new tree with the overrides layered on top (same start replaces, else added)."""
        overrides = tuple(overrides)
        by_name: dict[str, dict[date, ParamValue]] = {}
        for ov in overrides:
            where = f"override {ov.name}@{ov.start}"
            try:
                base = self.parameters.get(ov.name)
                if base is None:
                    raise ValueError("unknown parameter")
                if not isinstance(ov.start, date):
                    raise ValueError("start must be a date")
                if not isinstance(ov.reference, Reference) or not ov.reference.document.strip():
                    raise ValueError("a reference with a document is required")
                pv = ParamValue(
                    name=ov.name,
                    start=ov.start,
                    value=_convert_value(base.unit, ov.value, "value"),
                    unit=base.unit,
                    reference=ov.reference,
                    confidence=_parse_confidence(ov.confidence, "override"),
                )
            except ValueError as exc:
                raise ParameterFileError(where, str(exc)) from None
            entries = by_name.setdefault(ov.name, {e.start: e for e in base.entries})
            entries[ov.start] = pv
        params = dict(self.parameters)
        for name, entries_by_start in by_name.items():
            base = self.parameters[name]
            params[name] = _build_parameter(
                name, base.description, base.unit, entries_by_start.values()
            )
        return ParameterTree(params, self.source, self.overrides + overrides)


def load_tree(directory: Path | str) -> ParameterTree:
    """Load and validate every ``*.yaml`` file under ``directory``; fail loudly with the file."""
    root = Path(directory)
    if not root.is_dir():
        raise ParameterFileError(str(root), "not a directory")
    params: dict[str, Parameter] = {}
    for path in sorted(root.rglob("*.y*ml")):
        rel = path.relative_to(root)
        name = ".".join(rel.with_suffix("").parts)
        try:
            with path.open(encoding="utf-8") as fh:
                data = yaml.load(fh, Loader=_UniqueKeyLoader)
            params[name] = parse_parameter(name, data)
        except (ValueError, yaml.YAMLError) as exc:
            raise ParameterFileError(str(rel), str(exc).replace("\n", " ")) from None
    if not params:
        raise ParameterFileError(str(root), "no parameter files found")
    return ParameterTree(params, str(root))


@functools.lru_cache(maxsize=1)
def load_default_tree() -> ParameterTree:
    """The tree shipped with the package; loaded and validated once per process."""
    return load_tree(DEFAULT_DIR)


class Lookup:
    """Reads parameters from a tree on explicit dates and records every value used."""

    __slots__ = ("tree", "used")

    def __init__(self, tree: ParameterTree | None) -> None:
        self.tree = tree if tree is not None else load_default_tree()
        self.used: dict[tuple[str, date], ParamValue] = {}

    def get(self, name: str, on: date) -> ParamValue:
        pv = self.tree.get(name, on)
        self.used[(name, pv.start)] = pv
        return pv

    def find(self, name: str, on: date) -> ParamValue | None:
        pv = self.tree.find(name, on)
        if pv is not None:
            self.used[(name, pv.start)] = pv
        return pv

    def dec(self, name: str, on: date) -> Decimal:
        v = self.get(name, on).value
        if isinstance(v, bool) or not isinstance(v, (Decimal, int)):
            raise TypeError(f"{name} is not a number")
        return Decimal(v)

    def vnd(self, name: str, on: date) -> int:
        v = self.get(name, on).value
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} is not an integer amount")
        return v

    def flag(self, name: str, on: date) -> bool:
        v = self.get(name, on).value
        if not isinstance(v, bool):
            raise TypeError(f"{name} is not a boolean")
        return v

    def text(self, name: str, on: date) -> str:
        v = self.get(name, on).value
        if not isinstance(v, str):
            raise TypeError(f"{name} is not an enum")
        return v

    def day(self, name: str, on: date) -> date:
        v = self.get(name, on).value
        if not isinstance(v, date):
            raise TypeError(f"{name} is not a date")
        return v

    def table(self, name: str, on: date) -> Mapping[str, Value]:
        v = self.get(name, on).value
        if not isinstance(v, Mapping):
            raise TypeError(f"{name} is not a table")
        return v

    def parameters(self) -> tuple[ParamValue, ...]:
        return tuple(sorted(self.used.values(), key=lambda p: (p.name, p.start)))

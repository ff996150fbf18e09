"""One row of a delivery → a typed, pseudonymised record, or the reasons it is quarantined.

Driven by the contract's column kinds (``contract.py``). Personal values
(names, ID numbers) are used here, inside the row, and never leave it in
clear: IDs become keyed hashes plus what statistics need (sex, birth month,
the ID's region prefix), names are only checked present.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

import pyarrow as pa

from ingestion.contract import Column, SourceContract
from ingestion.errors import FieldError
from ingestion.identity import IdFacts, InvalidId, id_facts, pseudonym_of_text
from ingestion.values import parse_choice, parse_count, parse_date, parse_money

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE12 = re.compile(r"\d{12}")


@dataclass(frozen=True)
class DivisionTable:
    """Which region codes the county's division table knows, and from when.

    A code is known if a yearly release lists it, if a region change created
    it on or before the record's date, or if a change retired it: before the
    change it was in force, after it it maps to its successor.
    """

    county6: str
    released: frozenset[str] = frozenset()
    created_on: dict[str, dt.date] = field(default_factory=dict)
    retired: frozenset[str] = frozenset()

    def knows(self, code: str, day: dt.date) -> bool:
        if code in self.released or code in self.retired:
            return True
        created = self.created_on.get(code)
        return created is not None and created <= day

    @property
    def empty(self) -> bool:
        return not self.released and not self.created_on


@dataclass(frozen=True)
class ParseContext:
    county6: str
    secret: bytes
    record_date: dt.date                 # the period's last day: the date codes are checked for
    division: DivisionTable | None = None


class Row:
    """Parses one row field by field, keeping every error instead of the first:
    a clerk fixing a row wants all its problems at once."""

    def __init__(self, raw: dict[str, str], context: ParseContext):
        self.raw = raw
        self.context = context
        self.out: dict[str, Any] = {}
        self.values: dict[str, Any] = {}     # parsed values, personal ones included: never stored
        self.errors: list[FieldError] = []

    def text(self, header: str) -> str:
        return (self.raw.get(header) or "").strip()

    def fail(self, header: str, reason: str) -> None:
        self.errors.append(FieldError(header, reason))

    def attempt(self, header: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except FieldError as exc:
            self.errors.append(exc)
        except InvalidId as exc:
            self.errors.append(FieldError(header, str(exc)))
        return None


# ------------------------------------------------------------------ column kinds

def _text(row: Row, c: Column, value: str) -> None:
    row.out[c.name] = value or None


def _name(row: Row, c: Column, value: str) -> None:
    row.values[c.name] = value          # checked present (below), never stored
    row.out[f"{c.name}_present"] = True


def _citizen_id(row: Row, c: Column, value: str) -> None:
    facts = id_facts(value, row.context.secret)
    if not isinstance(facts, IdFacts):
        row.fail(c.header, facts)
        facts = None
    row.values[c.name] = facts.citizen_id if facts else None
    n, out = c.name, row.out
    out[f"{n}_person_key"] = facts.person_key if facts else None
    out[f"{n}_sex"] = facts.sex if facts else None
    out[f"{n}_birth_month"] = facts.birth_month if facts else None
    out[f"{n}_id_region"] = facts.id_region if facts else None
    out[f"{n}_id_from_15"] = facts.citizen_id.converted_from_15 if facts else None


def _party_id(row: Row, c: Column, value: str) -> None:
    """Marriage parties: an ID is kept whatever its form; rule M02 scores it."""
    facts = id_facts(value, row.context.secret)
    valid = isinstance(facts, IdFacts)
    row.values[c.name] = facts.citizen_id if valid else None
    n, out = c.name, row.out
    out[f"{n}_person_key"] = facts.person_key if valid else pseudonym_of_text(value, row.context.secret)
    out[f"{n}_id_valid"] = valid
    out[f"{n}_sex"] = facts.sex if valid else None
    out[f"{n}_birth_month"] = facts.birth_month if valid else None
    out[f"{n}_id_birth_date_ok"] = None   # set by the marriage row rule
    out[f"{n}_id_region"] = facts.id_region if valid else None


def _region(row: Row, c: Column, value: str) -> None:
    if not _CODE12.fullmatch(value):
        row.fail(c.header, f"区划代码“{value}”应为12位数字")
        return
    division, context = row.context.division, row.context
    if value.startswith(context.county6) and division is not None and not division.empty \
            and not division.knows(value, context.record_date):
        row.fail(c.header, f"区划代码“{value}”在区划表和区划变更中均不存在（未知区划代码）")
        return
    row.out[c.name] = value


def _date(row: Row, c: Column, value: str) -> None:
    parsed = row.attempt(c.header, lambda: parse_date(c.header, value))
    row.values[c.name] = parsed[0] if parsed else None
    row.out[c.name] = parsed[0] if parsed else None


def _birth_date(row: Row, c: Column, value: str) -> None:
    parsed = row.attempt(c.header, lambda: parse_date(c.header, value))
    row.values[c.name] = parsed[0] if parsed else None
    row.out[c.name] = f"{parsed[0].year:04d}-{parsed[0].month:02d}" if parsed else None


def _transcribed(row: Row, c: Column, value: str) -> None:
    """Archive dates: any transcribed form; what cannot be read is kept and flagged."""
    try:
        day, precision = parse_date(c.header, value, allow_month_only=True)
    except FieldError:
        day, precision = None, None
    row.out.update({c.name: day, f"{c.name}_precision": precision,
                    f"{c.name}_as_written": None if day else value})


def _birth_month(row: Row, c: Column, value: str) -> None:
    parsed = row.attempt(c.header, lambda: parse_date(c.header, value, allow_month_only=True))
    row.out[c.name] = f"{parsed[0].year:04d}-{parsed[0].month:02d}" if parsed else None


def _money(row: Row, c: Column, value: str) -> None:
    row.out[c.name] = row.attempt(c.header, lambda: parse_money(c.header, value))


def _count(row: Row, c: Column, value: str) -> None:
    row.out[c.name] = row.attempt(c.header, lambda: parse_count(c.header, value))


def _number(row: Row, c: Column, value: str) -> None:
    cleaned = value.replace(",", "")
    try:
        number = Decimal(cleaned)
        if not number.is_finite() or number < 0:
            raise InvalidOperation
    except InvalidOperation:
        row.fail(c.header, f"“{value}”不是非负数")
        return
    row.out[c.name] = number.quantize(Decimal("0.01"))


def _choice(row: Row, c: Column, value: str) -> None:
    row.out[c.name] = row.attempt(c.header, lambda: parse_choice(c.header, value, c.choices))


def _credit_code(row: Row, c: Column, value: str) -> None:
    code = value.upper()
    if not credit_code_is_valid(code):
        row.fail(c.header, "统一社会信用代码格式或校验位错误")
        return
    row.out[c.name] = code


def _year(row: Row, c: Column, value: str) -> None:
    if not re.fullmatch(r"(19|20)\d\d", value):
        row.fail(c.header, f"年度“{value}”应为四位年份")
        return
    row.out[c.name] = int(value)


KINDS: dict[str, Callable[[Row, Column, str], None]] = {
    "text": _text, "name": _name, "citizen_id": _citizen_id, "party_id": _party_id, "region": _region,
    "date": _date, "birth_date": _birth_date, "transcribed": _transcribed, "birth_month": _birth_month, "money": _money,
    "count": _count, "number": _number, "choice": _choice, "credit_code": _credit_code, "year": _year,
}


@functools.lru_cache(maxsize=1 << 16)
def credit_code_is_valid(code: str) -> bool:
    """GB 32100-2015: 18 characters of the alphabet, check character last."""
    if len(code) != 18 or any(ch not in _CREDIT_ALPHABET for ch in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(ch) * w for ch, w in zip(code, _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def parse_record(contract: SourceContract, raw: dict[str, str], context: ParseContext) -> tuple[dict, list]:
    """Typed, pseudonymised record, or the list of field errors that quarantine it."""
    row = Row(raw, context)
    for column in contract.columns:
        value = row.text(column.header)
        if not value:
            if not column.optional:
                row.fail(column.header, f"{column.header}为空")
            _empty(row, column)
            continue
        KINDS[column.kind](row, column, value)
    for rule in contract.rules:
        rule(row)
    return row.out, row.errors


def _empty(row: Row, column: Column) -> None:
    """An empty value: every output column of its kind is null."""
    for name in output_fields(column):
        row.out[name[0]] = None
    if column.kind == "name":
        row.out[f"{column.name}_present"] = False
    row.values[column.name] = None


# ------------------------------------------------------------------ schemas

_STRING, _DATE = pa.string(), pa.date32()


@functools.cache
def output_fields(column: Column) -> list[tuple[str, pa.DataType]]:
    n = column.name
    return {
        "name": [(f"{n}_present", pa.bool_())],
        "citizen_id": [(f"{n}_person_key", _STRING), (f"{n}_sex", _STRING), (f"{n}_birth_month", _STRING),
                       (f"{n}_id_region", _STRING), (f"{n}_id_from_15", pa.bool_())],
        "party_id": [(f"{n}_person_key", _STRING), (f"{n}_id_valid", pa.bool_()), (f"{n}_sex", _STRING),
                     (f"{n}_birth_month", _STRING), (f"{n}_id_birth_date_ok", pa.bool_()),
                     (f"{n}_id_region", _STRING)],
        "date": [(n, _DATE)],
        "transcribed": [(n, _DATE), (f"{n}_precision", _STRING), (f"{n}_as_written", _STRING)],
        "money": [(n, pa.decimal128(14, 2))],
        "count": [(n, pa.int64())],
        "number": [(n, pa.decimal128(18, 2))],
        "year": [(n, pa.int32())],
    }.get(column.kind, [(n, _STRING)])


def arrow_schema(contract: SourceContract) -> pa.Schema:
    fields = [("period", _STRING)]
    for column in contract.columns:
        fields += output_fields(column)
    fields += [(name, kind) for name, kind in extra_fields(contract)]
    fields += [("_source_file", _STRING), ("_source_row", pa.int32())]
    return pa.schema(fields)


def extra_fields(contract: SourceContract) -> list[tuple[str, pa.DataType]]:
    """Fields a source's row rules add (e.g. ages at registration for marriage)."""
    return list(contract.extra_fields)

"""Rows of a delivery → typed, pseudonymised Arrow columns, or the reasons a row is quarantined.

Driven by the contract's column kinds (``contract.py``). A kind reads one
written value, in Python, where the exact rules and messages are easy to
read. Rows are typed column by column with Arrow: a column is dictionary-
encoded, each *distinct* value is read once, and the results are spread over
the rows by index. A file repeats itself (the same dates, codes, amounts and
standards on every row, the same people month after month), so Python sees a
fraction of the cells; per-row Python runs only for the rows that fail.

Personal values (names, ID numbers) are used here and never leave in clear:
IDs become keyed hashes plus what statistics need (sex, birth month, the ID's
region prefix), names are only checked present.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from ingestion.contract import Column, SourceContract
from ingestion.errors import FieldError
from ingestion.identity import IdFacts, id_facts, pseudonym_of_text
from ingestion.values import parse_choice, parse_count, parse_date, parse_money

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CODE12 = re.compile(r"\d{12}")


@dataclass(frozen=True)
class DivisionTable:
    """Which region codes the division table knows, and from when.

    A code is known if a yearly release lists it, if a region change created
    it on or before the record's date, or if a change retired it: before the
    change it was in force, after it it maps to its successor.
    """

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
    counties: frozenset[str]             # codes inside these must be in the division table
    secret: bytes
    record_date: dt.date                 # the period's last day: the date codes are checked for
    division: DivisionTable | None = None


class Parsed(NamedTuple):
    """One written value, read: the kind's output fields (``output_fields``, in
    order), the value row rules may need (personal ones included: never
    stored), or why it is unusable."""

    out: tuple
    value: Any = None
    error: str | None = None


class Rows:
    """Rows being typed column by column. Every error of a row is kept, not the
    first: a clerk fixing a row wants all its problems at once."""

    def __init__(self, texts: dict[str, pa.StringArray], count: int, context: ParseContext):
        self.texts = texts                    # header → stripped text, one per row
        self.count = count
        self.context = context
        self.out: dict[str, pa.Array] = {}    # raw-table field → its column
        self.errors: dict[int, list[FieldError]] = {}   # row index → its errors, in column order
        self._values: dict[str, tuple[list, pa.Array]] = {}

    def text(self, header: str) -> pa.StringArray:
        texts = self.texts.get(header)
        return texts if texts is not None else pa.array([""] * self.count, pa.string())

    def keep_values(self, name: str, distinct: list, indices: pa.Array) -> None:
        """A column's parsed values, as its distinct values and each row's index into them."""
        self._values[name] = (distinct, indices)

    def values(self, name: str) -> list:
        """A column's parsed values, one per row (personal ones included: never stored)."""
        distinct, indices = self._values[name]
        return [distinct[i] for i in indices.to_pylist()]

    def fail(self, index: int, header: str, reason: str) -> None:
        self.errors.setdefault(index, []).append(FieldError(header, reason))

    def fail_where(self, mask: pa.Array, header: str, reason: str) -> None:
        """The same error for every row where ``mask`` is true."""
        for index in pc.indices_nonzero(mask.fill_null(False)).to_pylist():
            self.fail(index, header, reason)


# ------------------------------------------------------------------ column kinds: one value each

def _text(c: Column, value: str, context: ParseContext) -> Parsed:
    return Parsed((value,))


def _name(c: Column, value: str, context: ParseContext) -> Parsed:
    return Parsed((True,), value)          # checked present, never stored


def _citizen_id(c: Column, value: str, context: ParseContext) -> Parsed:
    facts = id_facts(value, context.secret)
    if not isinstance(facts, IdFacts):
        return Parsed((None,) * 5, error=facts)
    return Parsed((facts.person_key, facts.sex, facts.birth_month, facts.id_region,
                   facts.citizen_id.converted_from_15), facts.citizen_id)


def _party_id(c: Column, value: str, context: ParseContext) -> Parsed:
    """Marriage parties: an ID is kept whatever its form; rule M02 scores it.
    ``id_birth_date_ok`` is the marriage row rule's to set."""
    facts = id_facts(value, context.secret)
    if not isinstance(facts, IdFacts):
        return Parsed((pseudonym_of_text(value, context.secret), False, None, None, None, None))
    return Parsed((facts.person_key, True, facts.sex, facts.birth_month, None, facts.id_region), facts.citizen_id)


def _region(c: Column, value: str, context: ParseContext) -> Parsed:
    if not _CODE12.fullmatch(value):
        return Parsed((None,), error=f"区划代码“{value}”应为12位数字")
    division = context.division
    if value[:6] in context.counties and division is not None and not division.empty \
            and not division.knows(value, context.record_date):
        return Parsed((None,), error=f"区划代码“{value}”在区划表和区划变更中均不存在（未知区划代码）")
    return Parsed((value,))


def _township_list(c: Column, value: str, context: ParseContext) -> Parsed:
    """Township codes joined by 、 (公墓台账 服务乡镇): each a 12-digit township
    code (village part 000), inside the county known to the division table.
    Kept as delivered; one bad code quarantines the row, naming the code."""
    codes = [code.strip() for code in value.split("、")]
    for code in codes:
        if not _CODE12.fullmatch(code) or not code.endswith("000"):
            return Parsed((None,), error=f"“{code}”不是12位乡镇区划代码（多个代码以、分隔）")
        unit = _region(c, code, context)
        if unit.error:
            return Parsed((None,), error=unit.error)
    return Parsed(("、".join(codes),))


def _date(c: Column, value: str, context: ParseContext) -> Parsed:
    day, _ = parse_date(c.header, value)
    return Parsed((day,), day)


def _birth_date(c: Column, value: str, context: ParseContext) -> Parsed:
    day, _ = parse_date(c.header, value)
    return Parsed((f"{day.year:04d}-{day.month:02d}",), day)


def _transcribed(c: Column, value: str, context: ParseContext) -> Parsed:
    """Archive dates: any transcribed form; what cannot be read is kept and flagged."""
    try:
        day, precision = parse_date(c.header, value, allow_month_only=True)
    except FieldError:
        return Parsed((None, None, value))
    return Parsed((day, precision, None))


def _birth_month(c: Column, value: str, context: ParseContext) -> Parsed:
    day, _ = parse_date(c.header, value, allow_month_only=True)
    return Parsed((f"{day.year:04d}-{day.month:02d}",))


def _money(c: Column, value: str, context: ParseContext) -> Parsed:
    return Parsed((parse_money(c.header, value),))


def _count(c: Column, value: str, context: ParseContext) -> Parsed:
    return Parsed((parse_count(c.header, value),))


def _number(c: Column, value: str, context: ParseContext) -> Parsed:
    try:
        number = Decimal(value.replace(",", ""))
        if not number.is_finite() or number < 0:
            raise InvalidOperation
    except InvalidOperation:
        return Parsed((None,), error=f"“{value}”不是非负数")
    return Parsed((number.quantize(Decimal("0.01")),))


def _choice(c: Column, value: str, context: ParseContext) -> Parsed:
    return Parsed((parse_choice(c.header, value, c.choices),))


def _credit_code(c: Column, value: str, context: ParseContext) -> Parsed:
    code = value.upper()
    if not credit_code_is_valid(code):
        return Parsed((None,), error="统一社会信用代码格式或校验位错误")
    return Parsed((code,))


def _year(c: Column, value: str, context: ParseContext) -> Parsed:
    if not re.fullmatch(r"(19|20)\d\d", value):
        return Parsed((None,), error=f"年度“{value}”应为四位年份")
    return Parsed((int(value),))


KINDS: dict[str, Callable[[Column, str, ParseContext], Parsed]] = {
    "text": _text, "name": _name, "citizen_id": _citizen_id, "party_id": _party_id, "region": _region,
    "township_list": _township_list, "date": _date, "birth_date": _birth_date, "transcribed": _transcribed,
    "birth_month": _birth_month, "money": _money, "count": _count, "number": _number, "choice": _choice,
    "credit_code": _credit_code, "year": _year,
}


@functools.lru_cache(maxsize=1 << 16)
def credit_code_is_valid(code: str) -> bool:
    """GB 32100-2015: 18 characters of the alphabet, check character last."""
    if len(code) != 18 or any(ch not in _CREDIT_ALPHABET for ch in code):
        return False
    total = sum(_CREDIT_ALPHABET.index(ch) * w for ch, w in zip(code, _CREDIT_WEIGHTS))
    return _CREDIT_ALPHABET[(31 - total % 31) % 31] == code[17]


def read_value(column: Column, value: str, context: ParseContext) -> Parsed:
    """One stripped value of a column; empty means every output field is null."""
    if not value:
        return Parsed(_empty_out(column), error=None if column.optional else f"{column.header}为空")
    try:
        return KINDS[column.kind](column, value, context)
    except FieldError as exc:
        return Parsed((None,) * len(output_fields(column)), error=exc.reason)


@functools.cache
def _empty_out(column: Column) -> tuple:
    return (False,) if column.kind == "name" else (None,) * len(output_fields(column))


# ------------------------------------------------------------------ whole rows

def type_rows(contract: SourceContract, texts: dict[str, pa.StringArray], count: int,
              context: ParseContext) -> Rows:
    """Type ``count`` rows given as one column of stripped written values per header;
    row rules (``row_rules.py``) then check what needs more than one column."""
    rows = Rows(texts, count, context)
    for column in contract.columns:
        if column.kind in ("text", "name"):
            _type_as_written(rows, column)
        else:
            _type_by_distinct_value(rows, column)
    for rule in contract.rules:
        rule(rows)
    for name, kind in contract.extra_fields:
        if name not in rows.out:
            rows.out[name] = pa.nulls(count, kind)
    return rows


def _type_as_written(rows: Rows, column: Column) -> None:
    """Text kept as written, and names checked present: nothing to read per value."""
    texts = rows.text(column.header)
    empty = pc.equal(texts, "")
    if column.kind == "name":
        rows.out[f"{column.name}_present"] = pc.invert(empty)
    else:
        rows.out[column.name] = pc.if_else(empty, pa.scalar(None, pa.string()), texts)
    if not column.optional:
        rows.fail_where(empty, column.header, f"{column.header}为空")


def _type_by_distinct_value(rows: Rows, column: Column) -> None:
    encoded = rows.text(column.header).dictionary_encode()
    indices = encoded.indices
    distinct = [read_value(column, value, rows.context) for value in encoded.dictionary.to_pylist()]
    for position, (name, kind) in enumerate(output_fields(column)):
        rows.out[name] = pa.array([p.out[position] for p in distinct], kind).take(indices)
    rows.keep_values(column.name, [p.value for p in distinct], indices)
    failing = [i for i, p in enumerate(distinct) if p.error]
    if failing:
        mask = pc.is_in(indices, value_set=pa.array(failing, indices.type))
        at = pc.indices_nonzero(mask)
        for index, value in zip(at.to_pylist(), indices.take(at).to_pylist()):
            rows.fail(index, column.header, distinct[value].error)


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

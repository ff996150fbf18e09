"""Parsing the values departments write: dates in every form, money, counts."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation

from ingestion.errors import FieldError

_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4",
           "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_DATE_FORMS = [
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"),
    # Year and month only (transcribed archives); precision "month".
    re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月"),
]


def _chinese_numerals(text: str) -> str:
    """一九五六年三月七日 → 1956年3月7日 (digits one by one for the year, 十 for tens)."""
    def number(part: str) -> str:
        if "十" in part:
            tens, _, units = part.partition("十")
            return str(int(_DIGITS.get(tens, "1") if tens else "1") * 10 + (int(_DIGITS[units]) if units else 0))
        return "".join(_DIGITS.get(c, c) for c in part)
    m = re.fullmatch(r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?", text)
    if not m:
        return text
    year, month, day = m.group(1), m.group(2), m.group(3)
    return f"{number(year)}年{number(month)}月" + (f"{number(day)}日" if day else "")


def parse_date(field: str, text: str, *, allow_month_only: bool = False) -> tuple[dt.date, str]:
    """Return the date and its precision ("day" or "month")."""
    parsed = _read_date(text, allow_month_only)
    if isinstance(parsed, str):
        raise FieldError(field, parsed)
    return parsed


@functools.lru_cache(maxsize=1 << 16)
def _read_date(text: str, allow_month_only: bool) -> tuple[dt.date, str] | str:
    """The date and precision, or why not. Cached: a file holds a few thousand
    distinct dates over many rows."""
    value = _chinese_numerals(text.strip())
    for form in _DATE_FORMS:
        m = form.fullmatch(value)
        if not m:
            continue
        year, month = int(m["y"]), int(m["m"])
        day = m.groupdict().get("d")
        if day is None and not allow_month_only:
            return f"日期“{text}”缺少日"
        try:
            return dt.date(year, month, int(day) if day else 1), ("day" if day else "month")
        except ValueError:
            return f"日期“{text}”不存在"
    return f"无法识别的日期“{text}”"


def parse_money(field: str, text: str, *, allow_negative: bool = False) -> Decimal:
    """Yuan with up to two decimals; thousands separators accepted."""
    value = text.strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise FieldError(field, f"金额“{text}”不是数字") from None
    if not amount.is_finite():
        raise FieldError(field, f"金额“{text}”不是数字")
    if amount.as_tuple().exponent < -2:
        raise FieldError(field, f"金额“{text}”超过两位小数")
    if amount < 0 and not allow_negative:
        raise FieldError(field, f"金额“{text}”为负数")
    if abs(amount) >= Decimal("1e10"):
        raise FieldError(field, f"金额“{text}”超出合理范围")
    return amount.quantize(Decimal("0.01"))


def parse_count(field: str, text: str, *, minimum: int = 0, maximum: int = 10**9) -> int:
    value = text.strip().replace(",", "")
    if not re.fullmatch(r"\d+", value):
        raise FieldError(field, f"“{text}”不是整数")
    number = int(value)
    if not minimum <= number <= maximum:
        raise FieldError(field, f"{number}超出范围（{minimum}–{maximum}）")
    return number


def parse_choice(field: str, text: str, allowed: tuple[str, ...]) -> str:
    value = text.strip()
    if value not in allowed:
        raise FieldError(field, f"“{value}”不在代码表内（应为：{'、'.join(allowed)}）")
    return value

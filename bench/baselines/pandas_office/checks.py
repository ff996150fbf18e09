"""Vectorised checks of the values departments write (dates, money, IDs, codes).

Each function takes a Series of stripped text (empty string = not filled)
and returns what it parsed plus a boolean Series ``bad``: the value is filled
but unusable. A row with any bad value is quarantined and counts in no figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# ------------------------------------------------------------------ dates

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_CN_DATE = r"[〇零○一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月(?:[一二三四五六七八九十]{1,3}日)?"

# (pattern, has a day): tried in this order, the first that matches decides
_DATE_FORMS = [
    (r"(\d{4})-(\d{1,2})-(\d{1,2})", True),
    (r"(\d{4})/(\d{1,2})/(\d{1,2})", True),
    (r"(\d{4})\.(\d{1,2})\.(\d{1,2})", True),
    (r"(\d{4})年(\d{1,2})月(\d{1,2})日", True),
    (r"(\d{4})(\d{2})(\d{2})", True),
    (r"(\d{4})[-/.](\d{1,2})", False),      # archives: year and month only
    (r"(\d{4})年(\d{1,2})月", False),
]


def _cn_number(part: str) -> str:
    if "十" in part:
        tens, _, units = part.partition("十")
        return str(int(_CN_DIGITS.get(tens, "1") if tens else "1") * 10 + (int(_CN_DIGITS[units]) if units else 0))
    return "".join(_CN_DIGITS.get(c, c) for c in part)


def _from_chinese(text: str) -> str:
    """一九五六年三月七日 -> 1956年3月7日 (transcribed archive dates)."""
    year, rest = text.split("年", 1)
    month, rest = rest.split("月", 1)
    day = rest.rstrip("日")
    return f"{_cn_number(year)}年{_cn_number(month)}月" + (f"{_cn_number(day)}日" if day else "")


def real_date(year, month, day) -> np.ndarray:
    """Whether year-month-day is a calendar date (numpy arrays of ints)."""
    year, month, day = (np.asarray(x, dtype="int64") for x in (year, month, day))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(month, 0, 12)] + (leap & (month == 2))
    return (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= days)


def to_dates(year, month, day) -> pd.Series:
    """Whole-day timestamps from int arrays (only call on real dates)."""
    text = pd.Series(year).astype(str).str.zfill(4) + "-" + pd.Series(month).astype(str).str.zfill(2) + "-" \
        + pd.Series(day).astype(str).str.zfill(2)
    return pd.Series(np.array(text, dtype="datetime64[D]")).astype("datetime64[s]")


def parse_dates(text: pd.Series, *, month_only_ok: bool = False) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Dates in every written form -> (datetime64 Series, bad, has_day).

    Month-only dates (archives) become the 1st of the month and are bad unless
    month_only_ok. A form that matches but names no real day is bad.
    A column repeats the same few thousand dates: each is parsed once.
    """
    distinct = pd.Series(text.unique())
    dates, bad, has_day = _parse_distinct_dates(distinct, month_only_ok)
    position = pd.Index(distinct).get_indexer(text)
    return (pd.Series(dates.to_numpy()[position], index=text.index),
            pd.Series(bad.to_numpy()[position], index=text.index),
            pd.Series(has_day.to_numpy()[position], index=text.index))


def _parse_distinct_dates(text: pd.Series, month_only_ok: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    text = text.copy()
    chinese = text.str.fullmatch(_CN_DATE)
    if chinese.any():
        text[chinese] = text[chinese].map(_from_chinese)
    ymd = pd.DataFrame({"y": -1, "m": -1, "d": -1}, index=text.index)
    has_day = pd.Series(False, index=text.index)
    matched = pd.Series(False, index=text.index)
    for pattern, with_day in _DATE_FORMS:
        todo = ~matched & (text != "")
        if not todo.any():
            break
        parts = text[todo].str.extract(f"^{pattern}$").dropna()
        if parts.empty:
            continue
        ymd.loc[parts.index, "y"] = parts[0].astype(int)
        ymd.loc[parts.index, "m"] = parts[1].astype(int)
        ymd.loc[parts.index, "d"] = parts[2].astype(int) if with_day else 1
        has_day[parts.index] = with_day
        matched[parts.index] = True
    ok = matched & real_date(ymd.y, ymd.m, ymd.d) & (has_day | month_only_ok)
    dates = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    if ok.any():
        dates[ok] = to_dates(ymd.y[ok].to_numpy(), ymd.m[ok].to_numpy(), ymd.d[ok].to_numpy()).to_numpy()
    bad = (text != "") & ~ok
    return dates, bad, has_day


# ------------------------------------------------------------------ numbers

def parse_money_cents(text: pd.Series, *, allow_negative: bool = False) -> tuple[pd.Series, pd.Series]:
    """Yuan with at most two decimals, thousands separators allowed -> integer fen (cents)."""
    clean = text.str.replace(",", "", regex=False).str.replace("，", "", regex=False)
    form = clean.str.fullmatch(r"[+-]?(?:\d+(?:\.\d{0,2})?|\.\d{1,2})")
    value = pd.to_numeric(clean.where(form), errors="coerce")
    ok = form & value.notna() & (value.abs() < 1e10) & ((value >= 0) | allow_negative)
    cents = (value.where(ok) * 100).round().astype("Int64")
    return cents, (text != "") & ~ok


def parse_count(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A whole number 0 … 10^9, thousands separators allowed."""
    clean = text.str.replace(",", "", regex=False)
    form = clean.str.fullmatch(r"\d+")
    value = pd.to_numeric(clean.where(form), errors="coerce")
    ok = form & (value <= 10**9)
    return value.where(ok).astype("Int64"), (text != "") & ~ok


def parse_number(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A decimal >= 0 (service hours, reference figures)."""
    clean = text.str.replace(",", "", regex=False)
    form = clean.str.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
    value = pd.to_numeric(clean.where(form), errors="coerce")
    ok = form & (value >= 0)
    return value.where(ok), (text != "") & ~ok


def check_year(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    ok = text.str.fullmatch(r"(?:19|20)\d\d")
    return pd.to_numeric(text.where(ok), errors="coerce").astype("Int64"), (text != "") & ~ok


# ------------------------------------------------------------------ identifiers

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = np.array(list("10X98765432"))


def _id_check_character(first17: pd.Series) -> pd.Series:
    """ISO 7064 MOD 11-2 over 17 digits (GB 11643)."""
    total = sum(first17.str[i].astype(int) * w for i, w in enumerate(_ID_WEIGHTS))
    return pd.Series(_ID_CHECK[(total % 11).to_numpy()], index=first17.index)


def parse_citizen_ids(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """居民身份证号码 -> its 18-character form (15-digit IDs converted), and bad.

    The 18-character form is the person's key: the same person written with
    an old 15-digit ID and a new one is one person.
    """
    value = text.str.upper()
    normalised = pd.Series(pd.NA, index=text.index, dtype="string")
    old = value.str.fullmatch(r"\d{15}")
    if old.any():
        first17 = value[old].str[:6] + "19" + value[old].str[6:]
        normalised[old] = first17 + _id_check_character(first17)
    new = value.str.fullmatch(r"\d{17}[\dX]")
    if new.any():
        good = value[new].str[17] == _id_check_character(value[new].str[:17])
        normalised[good[good].index] = value[good[good].index]
    has = normalised.notna()
    birth_ok = pd.Series(False, index=text.index)
    if has.any():
        ids = normalised[has]
        birth_ok[has] = real_date(ids.str[6:10].astype(int), ids.str[10:12].astype(int), ids.str[12:14].astype(int))
    normalised = normalised.where(birth_ok)
    return normalised, (text != "") & normalised.isna()


def id_birth_dates(ids: pd.Series) -> pd.Series:
    """Birth dates read off normalised IDs (NaT where there is no ID)."""
    out = pd.Series(pd.NaT, index=ids.index, dtype="datetime64[s]")
    has = ids.notna()
    if has.any():
        out[has] = to_dates(ids[has].str[6:10].astype(int).to_numpy(), ids[has].str[10:12].astype(int).to_numpy(),
                            ids[has].str[12:14].astype(int).to_numpy()).to_numpy()
    return out


_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def parse_credit_codes(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """统一社会信用代码 (GB 32100): 18 characters of its alphabet, check character last."""
    code = text.str.upper()
    form = code.str.fullmatch(f"[{_CREDIT_ALPHABET}]{{18}}")
    ok = form.copy()
    if form.any():
        codes = code[form]
        value = {ch: i for i, ch in enumerate(_CREDIT_ALPHABET)}
        total = sum(codes.str[i].map(value) * w for i, w in enumerate(_CREDIT_WEIGHTS))
        expected = ((31 - total % 31) % 31).map(lambda i: _CREDIT_ALPHABET[i])
        ok[form] = expected == codes.str[17]
    return code.where(ok), (text != "") & ~ok


# ------------------------------------------------------------------ rounding as the warehouse does it

def duck_round(value: float, places: int) -> float:
    """DuckDB's round() of a DOUBLE (and its DOUBLE -> DECIMAL cast): half away
    from zero of value × 10^places, computed in floating point."""
    scale = 10.0 ** places
    scaled = value * scale
    return float(np.sign(scaled) * np.floor(abs(scaled) + 0.5)) / scale

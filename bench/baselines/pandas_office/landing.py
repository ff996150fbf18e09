"""Reading a landing folder: which file counts for each period, and its rows as text.

Delivery rules (extracts.md): files are ``<source>_<issuer>_<period>[_vN].<ext>``;
the highest version of a period replaces the earlier ones. A file that cannot
be read at all (wrong encoding, a required column missing) does not count, and
the next lower version of its period stands. For cremation each funeral home
(the issuer) delivers its own file per month, so the version is chosen per
home and month.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

PERIOD_DIGITS = {"month": 6, "year": 4, "day": 8}


class Unreadable(Exception):
    """The whole file is rejected (civstat's FileRejected)."""


def delivered_files(landing: Path, source: str, period_kind: str, ext: str) -> pd.DataFrame:
    """One row per delivered file of a source: path, issuer, period, version."""
    digits = PERIOD_DIGITS[period_kind]
    pattern = re.compile(rf"{re.escape(source)}_(?P<issuer>[0-9A-Za-z]+)_(?P<period>\d{{{digits}}})"
                         rf"(?:_v(?P<version>\d+))?\.{ext}")
    rows = []
    folder = landing / source
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        m = pattern.fullmatch(path.name)
        if path.is_file() and m:
            rows.append({"path": path, "file": path.name, "issuer": m["issuer"],
                         "period": _period_key(m["period"], period_kind), "version": int(m["version"] or 1)})
    return pd.DataFrame(rows, columns=["path", "file", "issuer", "period", "version"])


def _period_key(digits: str, kind: str) -> str:
    """202403 -> 2024-03, 2024 -> 2024, 20240331 -> 2024-03-31 (civstat's partition keys)."""
    if kind == "month":
        return f"{digits[:4]}-{digits[4:]}"
    if kind == "day":
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return digits


def read_current(files: pd.DataFrame, headers: list[str], *, per_issuer: bool, xlsx: bool) -> pd.DataFrame:
    """The rows of the current version of every period (of every issuer, if
    per_issuer), all columns as stripped text, plus file, row, period, version."""
    if files.empty:
        return pd.DataFrame(columns=[*headers, "_file", "_row", "period", "version", "issuer"])
    slot = ["period", "issuer"] if per_issuer else ["period"]
    frames = []
    for _, versions in files.sort_values("version", ascending=False).groupby(slot, sort=True):
        for _, f in versions.iterrows():          # highest version first
            try:
                table = read_xlsx(f.path) if xlsx else read_csv(f.path)
            except Unreadable:
                continue                          # rejected: the next lower version stands
            missing = [h for h in headers if h not in table.columns]
            if missing:
                continue                          # a required column is missing: rejected too
            table = table[[*headers, "_row"]].copy()
            table["_file"], table["period"], table["version"], table["issuer"] = f.file, f.period, f.version, f.issuer
            frames.append(table)
            break
    return pd.concat(frames, ignore_index=True)


def read_csv(path: Path) -> pd.DataFrame:
    """A CSV in UTF-8 (with or without BOM) or GBK; the file does not say which.

    UTF-8 is tried first: GBK text is almost never valid UTF-8. GB18030 is
    read instead of GBK because it is its superset. A row with more fields
    than the header is skipped (civstat quarantines it).
    """
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            table = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False,
                                on_bad_lines="skip", index_col=False)
            break
        except UnicodeDecodeError:
            continue
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise Unreadable(f"{path.name}: {exc}") from None
    else:
        raise Unreadable(f"{path.name}: neither UTF-8 nor GBK")
    # pandas renames a repeated column ("x.1"); civstat rejects such a file
    header = pd.read_csv(path, encoding=encoding, header=None, nrows=1, dtype=str, keep_default_na=False).iloc[0]
    _reject_repeated_columns([h.strip().lstrip("\ufeff") for h in header], path)
    table.columns = [str(c).strip().lstrip("\ufeff") for c in table.columns]
    # civstat's line numbers: header is line 1 (only their order matters here)
    table["_row"] = table.index + 2
    return _stripped_without_blank_rows(table)


def read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet of a workbook: an optional title row (one filled cell)
    above the header, data rows, and 合计 rows at the bottom that are totals."""
    try:
        # the systems export every cell as text; pandas turns a whole-number cell into "12"
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="calamine")
    except Exception as exc:   # a broken workbook: calamine raises its own types
        raise Unreadable(f"{path.name}: {exc}") from None
    sheet = sheet.fillna("")
    sheet["_row"] = sheet.index + 1                        # Excel's own line numbers
    cells = sheet.drop(columns="_row")
    sheet = sheet[cells.apply(lambda c: c.str.strip() != "").any(axis=1)]
    if sheet.empty:
        raise Unreadable(f"{path.name}: empty")
    first = sheet.iloc[0].drop("_row")
    if (first.str.strip() != "").sum() == 1 and len(sheet) > 1:
        sheet = sheet.iloc[1:]                             # the title row
    header = [h.strip() for h in sheet.iloc[0].drop("_row")]
    while header and not header[-1]:
        header.pop()
    _reject_repeated_columns(header, path)
    body = sheet.iloc[1:, :len(header)].copy()
    body.columns = header
    body["_row"] = sheet["_row"].iloc[1:].to_numpy()
    while len(body) and body.iloc[-1, 0].strip() == "合计":
        body = body.iloc[:-1]
    return _stripped_without_blank_rows(body)


def _reject_repeated_columns(header: list[str], path: Path) -> None:
    if len(set(header)) != len(header):
        raise Unreadable(f"{path.name}: a column name is repeated")


def _stripped_without_blank_rows(table: pd.DataFrame) -> pd.DataFrame:
    values = [c for c in table.columns if c != "_row"]
    table[values] = table[values].apply(lambda c: c.astype(str).str.strip())
    return table[(table[values] != "").any(axis=1)].reset_index(drop=True)

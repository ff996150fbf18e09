"""Row rules that need more than one column, per source.

Each takes the ``records.Row`` being parsed: its parsed values (``values``,
personal ones included, never stored), its output (``out``) and ``fail()``.
"""

from __future__ import annotations


def assistance_row(row) -> None:
    """特困-only fields are required for 特困 (target T05 reads them); a 停保 row says when."""
    special = row.out.get("assistance_type") in ("城市特困", "农村特困")
    for header, name in (("供养方式", "support_mode"), ("自理能力", "self_care"),
                         ("集中供养意愿", "willing_central_care")):
        if special and not row.text(header):
            row.fail(header, f"特困人员须填写{header}")
        if not special:
            row.out[name] = None
    if row.out.get("status") == "停保" and not row.text("停保日期"):
        row.fail("停保日期", "状态为停保但停保日期为空")


def marriage_row(row) -> None:
    """Ages at registration and whether each ID's birth date matches the record:
    what rules M03, M04 and M09 need, without keeping a full birth date."""
    registered = row.values.get("registered_on")
    for party in ("man", "woman"):
        birth = row.values.get(f"{party}_birth_date")
        cid = row.values.get(party)
        row.out[f"{party}_age_at_registration"] = (
            _age(birth, registered) if birth and registered else None)
        row.out[f"{party}_id_birth_date_ok"] = (cid.birth_date == birth) if cid and birth else None


def _age(birth, day) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

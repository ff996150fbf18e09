"""Row rules that need more than one column, per source.

Each takes the ``records.Rows`` being typed, column by column: its output
columns (``out``, Arrow), its texts (``text(header)``), its parsed values
(``values(name)``, personal ones included, never stored) and ``fail_where``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

_SPECIAL_POVERTY = pa.array(["城市特困", "农村特困"])


def assistance_row(rows) -> None:
    """特困-only fields are required for 特困 (target T05 reads them); a 停保 row says when."""
    special = pc.is_in(rows.out["assistance_type"], value_set=_SPECIAL_POVERTY)
    for header, name in (("供养方式", "support_mode"), ("自理能力", "self_care"),
                         ("集中供养意愿", "willing_central_care")):
        rows.fail_where(pc.and_(special, pc.equal(rows.text(header), "")), header, f"特困人员须填写{header}")
        rows.out[name] = pc.if_else(special, rows.out[name], pa.scalar(None, rows.out[name].type))
    stopped_undated = pc.and_(pc.equal(rows.out["status"], "停保"), pc.equal(rows.text("停保日期"), ""))
    rows.fail_where(stopped_undated, "停保日期", "状态为停保但停保日期为空")


def child_welfare_row(rows) -> None:
    """A 退出 row says when and why the child left (T21 must not count it)."""
    left = pc.equal(rows.out["status"], "退出")
    for header in ("退出日期", "退出原因"):
        rows.fail_where(pc.and_(left, pc.equal(rows.text(header), "")), header, f"状态为退出但{header}为空")


def marriage_row(rows) -> None:
    """Ages at registration and whether each ID's birth date matches the record:
    what rules M03, M04 and M09 need, without keeping a full birth date."""
    registered = rows.values("registered_on")
    for party in ("man", "woman"):
        births, ids = rows.values(f"{party}_birth_date"), rows.values(party)
        rows.out[f"{party}_age_at_registration"] = pa.array(
            [_age(birth, day) if birth and day else None for birth, day in zip(births, registered)], pa.int32())
        rows.out[f"{party}_id_birth_date_ok"] = pa.array(
            [(cid.birth_date == birth) if cid and birth else None for cid, birth in zip(ids, births)], pa.bool_())


def _age(birth, day) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

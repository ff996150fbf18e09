"""The 低保 / 特困 roll (source ``assistance``): one row per household and month."""

from __future__ import annotations

import pyarrow as pa

from ingestion.identity import InvalidId, parse_citizen_id, person_key
from ingestion.values import (
    FieldCollector,
    parse_choice,
    parse_count,
    parse_date,
    parse_money,
    parse_region_code,
)

ASSISTANCE_TYPES = ("城市低保", "农村低保", "城市特困", "农村特困")
SUPPORT_MODES = ("集中供养", "分散供养")
SELF_CARE_LEVELS = ("全自理", "半失能", "全失能")
YES_NO = ("是", "否")
STATUSES = ("在保", "停保")

ASSISTANCE_SCHEMA = pa.schema([
    ("period", pa.string()),
    ("region_code", pa.string()),
    ("household_id", pa.string()),
    ("head_person_key", pa.string()),
    ("head_sex", pa.string()),
    ("head_birth_month", pa.string()),
    ("assistance_type", pa.string()),
    ("persons_covered", pa.int32()),
    ("amount_paid", pa.decimal128(12, 2)),
    ("standard", pa.decimal128(12, 2)),
    ("support_mode", pa.string()),
    ("self_care", pa.string()),
    ("willing_central_care", pa.string()),
    ("entered_on", pa.date32()),
    ("status", pa.string()),
    ("stopped_on", pa.date32()),
    ("_source_file", pa.string()),
    ("_source_row", pa.int32()),
])


def parse_assistance_row(record: dict[str, str], *, county6: str, secret: bytes) -> tuple[dict, list]:
    """Typed, pseudonymised record, or the list of field errors that quarantine it."""
    f = FieldCollector(record)
    out: dict = {
        "region_code": f.parse(parse_region_code, "行政区划代码", county6),
        "household_id": f.text("家庭编号") or f.fail("家庭编号", "家庭编号为空"),
        "assistance_type": f.parse(parse_choice, "救助类型", ASSISTANCE_TYPES),
        "persons_covered": f.parse(parse_count, "保障人口数", minimum=1, maximum=30),
        "amount_paid": f.parse(parse_money, "月保障金额"),
        "standard": f.parse(parse_money, "保障标准"),
        "status": f.parse(parse_choice, "状态", STATUSES),
    }
    try:
        head = parse_citizen_id(record["户主身份证号"])
        out["head_person_key"] = person_key(head, secret)
        out["head_sex"] = head.sex
        out["head_birth_month"] = head.birth_date.strftime("%Y-%m")
    except InvalidId as exc:
        f.fail("户主身份证号", str(exc))
    entered = f.parse(parse_date, "纳入日期")
    out["entered_on"] = entered[0] if entered else None
    stopped = f.optional(parse_date, "停保日期")
    out["stopped_on"] = stopped[0] if stopped else None
    if out["status"] == "停保" and not f.text("停保日期"):
        f.fail("停保日期", "状态为停保但停保日期为空")

    # 特困-only fields: required for 特困 (target T05 reads them), empty otherwise.
    special = out["assistance_type"] in ("城市特困", "农村特困")
    for field, key, allowed in (("供养方式", "support_mode", SUPPORT_MODES),
                                ("自理能力", "self_care", SELF_CARE_LEVELS),
                                ("集中供养意愿", "willing_central_care", YES_NO)):
        if special and not f.text(field):
            f.fail(field, f"特困人员须填写{field}")
        out[key] = f.optional(parse_choice, field, allowed) if special else None
    return out, f.errors

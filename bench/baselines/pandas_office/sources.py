"""What each extract contains (extracts.md) and which of its rows count.

A source is a list of columns, each with a kind that says how its text is
checked. A row counts only if every required column is filled and every
filled value is usable; otherwise it is quarantined (it counts in no figure).
Personal values are only used inside this program and never written out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import checks
import landing
import numpy as np
import pandas as pd

YES_NO = ("是", "否")


@dataclass(frozen=True)
class Col:
    header: str
    name: str
    kind: str = "text"          # see check_column()
    choices: tuple = ()
    optional: bool = False


@dataclass(frozen=True)
class Source:
    key: str
    period_kind: str            # month | year | day
    xlsx: bool
    columns: tuple
    per_issuer: bool = False    # cremation: each funeral home's own file per month


def c(header, name, kind="text", *choices, optional=False) -> Col:
    return Col(header, name, kind, tuple(choices), optional)


def _party(side: str, prefix: str) -> list[Col]:
    return [
        c(f"{side}姓名", f"{prefix}_name", "name", optional=True),
        c(f"{side}身份证号", prefix, "party_id", optional=True),
        c(f"{side}出生日期", f"{prefix}_birth_date", "date", optional=True),
        c(f"{side}户籍地区划代码", f"{prefix}_region_code", "region", optional=True),
        c(f"{side}国籍地区", f"{prefix}_nationality", "choice", "内地", "香港", "澳门", "台湾", "华侨", "外国",
          optional=True),
    ]


SOURCES = {s.key: s for s in (
    Source("regions", "year", False, (
        c("统计用区划代码", "region_code"), c("名称", "region_name"), c("级别", "level", "choice", "县", "乡", "村"),
        c("城乡分类代码", "urban_rural_code", "choice", "111", "112", "121", "122", "123", "210", "220", optional=True),
        c("年度", "year", "year"))),
    Source("region_changes", "year", False, (
        c("原代码", "old_code"), c("原名称", "old_name"), c("新代码", "new_code"), c("新名称", "new_name"),
        c("变更类型", "change_type", "choice", "合并", "拆分", "更名", "撤销"), c("生效日期", "effective_on", "date"))),
    Source("assistance", "month", False, (
        c("行政区划代码", "region_code", "region"), c("家庭编号", "household_id"), c("户主姓名", "head_name", "name"),
        c("户主身份证号", "head", "citizen_id"),
        c("救助类型", "assistance_type", "choice", "城市低保", "农村低保", "城市特困", "农村特困"),
        c("保障人口数", "persons", "count"), c("月保障金额", "paid_cents", "money"), c("保障标准", "standard_cents", "money"),
        c("供养方式", "support_mode", "choice", "集中供养", "分散供养", optional=True),
        c("自理能力", "self_care", "choice", "全自理", "半失能", "全失能", optional=True),
        c("集中供养意愿", "willing_central_care", "choice", *YES_NO, optional=True),
        c("纳入日期", "entered_on", "date"), c("状态", "status", "choice", "在保", "停保"),
        c("停保日期", "stopped_on", "date", optional=True))),
    Source("temporary_aid", "month", False, (
        c("行政区划代码", "region_code", "region"), c("身份证号", "recipient", "citizen_id"), c("姓名", "name", "name"),
        c("救助日期", "aid_date", "date"), c("救助类别", "aid_kind", "choice", "急难型", "支出型"),
        c("救助金额", "amount_cents", "money"), c("是否流浪乞讨人员", "is_vagrant", "choice", *YES_NO))),
    Source("marriage", "month", False, (
        c("登记机关代码", "office_code"),
        c("登记类型", "registration_type", "choice", "结婚", "离婚", "补领结婚证", "补领离婚证"),
        c("登记日期", "registered_on", "date"), c("证书字号", "certificate_no", optional=True),
        *_party("男方", "man"), *_party("女方", "woman"),
        c("原结婚证字号", "original_certificate_no", optional=True))),
    Source("marriage_archive", "year", True, (
        c("档案号", "archive_no"), c("登记类型", "registration_type", "choice", "结婚", "离婚"),
        c("登记日期", "registered_on", "transcribed"), c("登记机关", "office_name_then", optional=True),
        c("男方姓名", "man_name", "name", optional=True), c("男方出生年月", "man_birth_month", "birth_month", optional=True),
        c("男方身份证号", "man", "citizen_id", optional=True),
        c("女方姓名", "woman_name", "name", optional=True),
        c("女方出生年月", "woman_birth_month", "birth_month", optional=True),
        c("女方身份证号", "woman", "citizen_id", optional=True), c("备注", "remark", optional=True))),
    Source("cremation", "month", False, (
        c("遗体编号", "body_no"), c("逝者姓名", "name", "name"), c("身份证号", "deceased", "citizen_id"),
        c("性别", "sex", "choice", "男", "女"), c("死亡日期", "died_on", "date"),
        c("火化日期", "cremated_on", "date", optional=True), c("户籍区划代码", "home_region_code", "region"),
        c("处理方式", "handling", "choice", "火化", "土葬", "遗体捐献", "外运"),
        c("安葬方式", "burial_method", "choice", "公墓墓穴", "骨灰堂存放", "树葬", "花坛葬", "草坪葬", "海葬",
          "深埋不留坟头", "骨灰撒散", "其他", optional=True),
        c("惠民殡葬补贴金额", "subsidy_cents", "money", optional=True)), per_issuer=True),
    Source("deaths", "year", False, (
        c("乡镇区划代码", "township_code", "region"), c("年度", "year", "year"), c("死亡人数", "deaths", "count"))),
    Source("volunteers", "day", False, (
        c("志愿者编号", "volunteer_no"), c("身份证号", "volunteer", "citizen_id"), c("姓名", "name", "name"),
        c("注册日期", "registered_on", "date"), c("所属区划代码", "region_code", "region"),
        c("累计服务时长", "service_hours", "number"),
        c("所属组织信用代码", "organisation_credit_code", "credit_code", optional=True),
        c("状态", "status", "choice", "正常", "注销"))),
    Source("social_orgs", "day", True, (
        c("统一社会信用代码", "credit_code", "credit_code"), c("组织名称", "organisation_name"),
        c("组织类型", "organisation_type", "choice", "社会团体", "社会服务机构", "基金会"),
        c("登记日期", "registered_on", "date"), c("住所区划代码", "region_code", "region"),
        c("是否慈善组织", "is_charity", "choice", *YES_NO),
        c("慈善认定日期", "charity_recognised_on", "date", optional=True),
        c("是否社区社会组织", "is_community_org", "choice", *YES_NO),
        c("是否志愿服务组织", "is_volunteer_org", "choice", *YES_NO),
        c("是否社会工作服务机构", "is_social_work_org", "choice", *YES_NO),
        c("登记状态", "registration_status", "choice", "正常", "注销", "撤销"),
        c("年检结论", "inspection_result", "choice", "合格", "基本合格", "不合格", "未参检", optional=True))),
    Source("social_workers", "day", False, (
        c("证书编号", "certificate_no"), c("身份证号", "holder", "citizen_id"), c("姓名", "name", "name"),
        c("证书等级", "certificate_level", "choice", "助理社会工作师", "社会工作师", "高级社会工作师"),
        c("取得日期", "obtained_on", "date"),
        c("执业机构信用代码", "employer_credit_code", "credit_code", optional=True),
        c("所属区划代码", "region_code", "region"), c("状态", "status", "choice", "有效", "注销"))),
    Source("elderly_care", "month", True, (
        c("机构编号", "facility_no"), c("机构名称", "facility_name"),
        c("机构性质", "ownership", "choice", "公办", "公建民营", "民办"),
        c("设施类型", "facility_type", "choice", "养老机构", "特困供养机构(敬老院)", "街道综合养老服务中心",
          "社区日间照料中心", "农村互助幸福院"),
        c("所在区划代码", "region_code", "region"), c("总床位数", "beds", "count"),
        c("护理型床位数", "nursing_beds", "count"), c("在住老人数", "residents", "count"),
        c("其中失能老人数", "disabled_residents", "count"), c("是否医养结合", "medical_care_combined", "choice", *YES_NO),
        c("运营状态", "operating_status", "choice", "运营", "停业", "在建"))),
    Source("communities", "year", False, (
        c("区划代码", "region_code", "region"), c("名称", "community_name"),
        c("类型", "community_type", "choice", "城市社区", "农村社区", "行政村"),
        c("常住人口", "residents", "count"), c("60岁以上人口", "residents_60_plus", "count"),
        c("是否建有养老服务设施", "has_elderly_facility", "choice", *YES_NO), c("年度", "year", "year"))),
    Source("reference_stats", "year", False, (
        c("区划代码", "region_code"), c("年度", "year", "year"),
        c("指标名称", "indicator", "choice", "常住人口", "城镇居民人均消费支出", "农村居民人均消费支出"),
        c("数值", "value", "number"), c("单位", "unit", "choice", "人", "元"))),
    Source("cemeteries", "year", True, (
        c("公墓编号", "cemetery_id"), c("公墓名称", "cemetery_name"),
        c("公墓类型", "cemetery_type", "choice", "城市公益性公墓", "农村公益性公墓", "经营性公墓"),
        c("所在区划代码", "region_code", "region"), c("服务乡镇", "served_townships", "township_list"),
        c("设计墓穴数", "plots_designed", "count"), c("已用墓穴数", "plots_used", "count"),
        c("是否节地生态", "is_eco", "choice", *YES_NO), c("运营状态", "operating_status", "choice", "运营", "在建", "停用"),
        c("年度", "register_year", "year"))),
    Source("child_welfare", "month", False, (
        c("儿童编号", "child_no"), c("姓名", "name", "name"), c("身份证号", "child", "citizen_id"),
        c("性别", "sex", "choice", "男", "女"),
        c("出生日期", "born_on", "date"),          # a whole date (civstat keeps only its month)
        c("户籍区划代码", "region_code", "region"),
        c("儿童类别", "child_category", "choice", "集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童"),
        c("基本生活费标准", "standard_cents", "money"), c("本月发放金额", "paid_cents", "money"),
        c("纳入日期", "entered_on", "date"), c("状态", "status", "choice", "在册", "退出"),
        c("退出原因", "exit_reason", "choice", "年满18周岁", "被收养", "父母情况变化", "死亡", "其他", optional=True),
        c("退出日期", "left_on", "date", optional=True))),
    Source("child_workers", "day", False, (
        c("人员编号", "worker_no"), c("姓名", "name", "name"), c("身份证号", "worker", "citizen_id"),
        c("岗位", "post", "choice", "儿童督导员", "儿童主任"), c("所属区划代码", "region_code", "region"),
        c("任职日期", "appointed_on", "date"), c("状态", "status", "choice", "在岗", "离岗"),
        c("是否兼职", "is_part_time", "choice", *YES_NO))),
)}


@dataclass(frozen=True)
class Division:
    """The county's division table as delivered: which 12-digit codes exist
    (any yearly release, any code a change retired) and the day a change
    created a code. A code inside the county it does not know for the period
    is an error; a code outside the county marks a non-resident."""

    county6: str
    known: frozenset
    created_on: dict      # code -> first effective date of a change creating it

    def unknown(self, codes: pd.Series, on: pd.Series) -> pd.Series:
        inside = codes.str.startswith(self.county6)
        if not self.known and not self.created_on:
            return pd.Series(False, index=codes.index)   # no division table yet: nothing to check against
        created = pd.to_datetime(codes.map(self.created_on))
        known = codes.isin(self.known) | (created <= on).fillna(False)
        return inside & ~known


def period_last_day(period: pd.Series, kind: str) -> pd.Series:
    """The day a period's region codes are checked for: its last day."""
    if kind == "month":
        start = pd.to_datetime(period + "-01")
        return start + pd.offsets.MonthEnd(0)
    if kind == "year":
        return pd.to_datetime(period + "-12-31")
    return pd.to_datetime(period)


def load(landing_dir: Path, key: str, division: Division | None = None) -> pd.DataFrame:
    """The rows of a source that count: current version of every period, checked."""
    source = SOURCES[key]
    files = landing.delivered_files(landing_dir, key, source.period_kind, "xlsx" if source.xlsx else "csv")
    raw = landing.read_current(files, [col.header for col in source.columns],
                               per_issuer=source.per_issuer, xlsx=source.xlsx)
    out = raw[["_file", "_row", "period", "version", "issuer"]].copy()
    bad = pd.Series(False, index=raw.index)
    record_date = period_last_day(raw["period"], source.period_kind) if len(raw) else pd.Series(dtype="datetime64[s]")
    for col in source.columns:
        text = raw[col.header].astype(str)
        if not col.optional:
            bad |= text == ""
        bad |= check_column(col, text, out, record_date, division)
    if key == "assistance":
        bad |= _assistance_row_rule(raw, out)
    if key == "child_welfare":
        bad |= _child_welfare_row_rule(raw, out)
    return out[~bad].reset_index(drop=True)


def check_column(col: Col, text: pd.Series, out: pd.DataFrame, record_date: pd.Series,
                 division: Division | None) -> pd.Series:
    """Put the parsed column(s) into ``out``; return which filled values are bad."""
    no_problem = pd.Series(False, index=text.index)
    filled = text != ""
    if col.kind == "text":
        out[col.name] = text.where(filled)
        return no_problem
    if col.kind == "name":                      # personal: only whether it was written
        out[f"{col.name}_present"] = filled
        return no_problem
    if col.kind == "choice":
        out[col.name] = text.where(filled)
        return filled & ~text.isin(col.choices)
    if col.kind == "citizen_id":
        out[col.name], bad = checks.parse_citizen_ids(text)
        return bad
    if col.kind == "party_id":                  # marriage: kept whatever its form (rule M02 scores it)
        ids, invalid = checks.parse_citizen_ids(text)
        out[col.name] = ids.where(ids.notna(), ("text:" + text.str.upper()).where(filled))
        out[f"{col.name}_id"] = ids
        out[f"{col.name}_id_valid"] = (~invalid).where(filled)
        return no_problem
    if col.kind == "region":
        form = text.str.fullmatch(r"\d{12}")
        out[col.name] = text.where(filled & form)
        bad = filled & ~form
        if division is not None:
            bad |= filled & form & division.unknown(text, record_date)
        return bad
    if col.kind == "township_list":             # 服务乡镇: every 、-joined code a known township code
        listed = text.str.split("、").explode().str.strip()
        owner = listed.index.to_numpy()
        codes = listed.reset_index(drop=True)
        bad = ~codes.str.fullmatch(r"\d{9}000").fillna(False)
        if division is not None:
            bad |= division.unknown(codes, pd.Series(record_date.loc[owner].to_numpy(), index=codes.index))
        out[col.name] = text.where(filled)
        row_bad = pd.Series(bad.to_numpy(), index=owner).groupby(level=0).any()
        return filled & row_bad.reindex(text.index, fill_value=False)
    if col.kind == "date":
        out[col.name], bad, _ = checks.parse_dates(text)
        return bad
    if col.kind == "transcribed":               # archive dates: unreadable ones are kept, undated
        out[col.name], _, _ = checks.parse_dates(text, month_only_ok=True)
        return no_problem
    if col.kind == "birth_month":
        dates, bad, _ = checks.parse_dates(text, month_only_ok=True)
        out[col.name] = dates.dt.strftime("%Y-%m")
        return bad
    if col.kind == "money":
        out[col.name], bad = checks.parse_money_cents(text)
        return bad
    if col.kind == "count":
        out[col.name], bad = checks.parse_count(text)
        return bad
    if col.kind == "number":
        out[col.name], bad = checks.parse_number(text)
        return bad
    if col.kind == "credit_code":
        out[col.name], bad = checks.parse_credit_codes(text)
        return bad
    if col.kind == "year":
        out[col.name], bad = checks.check_year(text)
        return bad
    raise ValueError(col.kind)


def _assistance_row_rule(raw: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """特困 rows must say how the person is supported (T05 reads it); a 停保 row must say when."""
    special = out["assistance_type"].isin(["城市特困", "农村特困"])
    bad = pd.Series(False, index=raw.index)
    for header, name in (("供养方式", "support_mode"), ("自理能力", "self_care"),
                         ("集中供养意愿", "willing_central_care")):
        bad |= special & (raw[header] == "")
        out.loc[~special, name] = np.nan       # only 特困 rows carry these
    bad |= (out["status"] == "停保") & (raw["停保日期"] == "")
    return bad


def _child_welfare_row_rule(raw: pd.DataFrame, out: pd.DataFrame) -> pd.Series:
    """A 退出 row must say when (退出日期) and why (退出原因) the child left."""
    left = out["status"] == "退出"
    return left & ((raw["退出日期"] == "") | (raw["退出原因"] == ""))


def month_end(period_month: pd.Series) -> pd.Series:
    return pd.to_datetime(period_month + "-01") + pd.offsets.MonthEnd(0)


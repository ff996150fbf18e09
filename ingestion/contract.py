"""What each source delivers, as data: file names, formats, columns, personal fields.

The contract of the outside world is ``extracts.md``; this module is its
machine-readable copy. A column's *kind* says how its text is read and what
it becomes in the raw table (see ``records.py``):

``text``         kept as written (required unless ``optional``)
``name``         personal: checked present when required, never stored
``citizen_id``   personal: a valid 18-digit ID (15 digits converted) becomes a
                 pseudonymous key plus sex, birth month and the ID's region
                 prefix; an invalid one quarantines the row
``party_id``     personal, marriage only: kept whatever its form, as a key and
                 a validity flag, because a wrong ID is rule M02's to score
``region``       a 12-digit code; inside the county it must be known to the
                 division table, outside it marks a non-resident
``township_list`` township codes joined by 、, each checked as ``region``
``date``         a calendar date in any written form
``transcribed``  an archive date: day or month precision; unreadable text is
                 kept and flagged, never dropped
``birth_month``  year and month (archive 出生年月)
``birth_date``   a full birth date, read but stored as year and month only
``money``        yuan, ≥ 0, thousands separators accepted
``count``        a whole number ≥ 0
``number``       a decimal ≥ 0 (service hours)
``choice``       one of the contract's code list
``credit_code``  a unified social credit code with a valid check character
``year``         a four-digit year
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa

from ingestion.row_rules import assistance_row, child_welfare_row, marriage_row

YES_NO = ("是", "否")


@dataclass(frozen=True)
class Column:
    header: str                       # as the department writes it
    name: str                         # in the raw table
    kind: str = "text"
    choices: tuple[str, ...] = ()
    optional: bool = False

    @property
    def personal(self) -> bool:
        return self.kind in ("name", "citizen_id", "party_id")


def col(header: str, name: str, kind: str = "text", *choices: str, optional: bool = False) -> Column:
    return Column(header, name, kind, tuple(choices), optional)


@dataclass(frozen=True)
class SourceContract:
    key: str
    description: str
    period_kind: str          # "month", "year" or "day" (snapshot date)
    file_format: str          # "csv" or "xlsx"
    expected_encoding: str    # what the contract says; the reader detects anyway
    columns: tuple[Column, ...]
    title_row: bool = False   # XLSX: a title above the header
    totals_row: bool = False  # XLSX: a 合计 row at the bottom
    issuer: str = "county"    # whose code is in the file name: county, or funeral home
    rules: tuple = field(default=(), compare=False)   # row rules beyond one column (row_rules.py)
    extra_fields: tuple = ()  # (name, arrow type) the rules add to the raw table

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns if c.personal)

    @property
    def file_pattern(self) -> re.Pattern[str]:
        digits = {"month": 6, "year": 4, "day": 8}[self.period_kind]
        return re.compile(
            rf"{re.escape(self.key)}_(?P<issuer>[0-9A-Za-z]+)_(?P<period>\d{{{digits}}})"
            rf"(?:_v(?P<version>\d+))?\.{self.file_format}"
        )

    def period_key(self, digits: str) -> str:
        """File-name period → partition key: 202403 → 2024-03, 2024, 20240331 → 2024-03-31."""
        if self.period_kind == "month":
            return f"{digits[:4]}-{digits[4:]}"
        if self.period_kind == "day":
            return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
        return digits


def _source(key, description, period_kind, file_format, encoding, columns, **options) -> SourceContract:
    return SourceContract(key, description, period_kind, file_format, encoding, tuple(columns), **options)


ASSISTANCE_TYPES = ("城市低保", "农村低保", "城市特困", "农村特困")
BURIAL_METHODS = ("公墓墓穴", "骨灰堂存放", "树葬", "花坛葬", "草坪葬", "海葬", "深埋不留坟头", "骨灰撒散", "其他")
NATIONALITIES = ("内地", "香港", "澳门", "台湾", "华侨", "外国")

ASSISTANCE = _source("assistance", "低保和特困救助对象月度名册（社会救助信息系统）", "month", "csv", "gbk", [
    col("行政区划代码", "region_code", "region"),
    col("家庭编号", "household_id"),
    col("户主姓名", "head_name", "name"),
    col("户主身份证号", "head", "citizen_id"),
    col("救助类型", "assistance_type", "choice", *ASSISTANCE_TYPES),
    col("保障人口数", "persons_covered", "count"),
    col("月保障金额", "amount_paid", "money"),
    col("保障标准", "standard", "money"),
    col("供养方式", "support_mode", "choice", "集中供养", "分散供养", optional=True),
    col("自理能力", "self_care", "choice", "全自理", "半失能", "全失能", optional=True),
    col("集中供养意愿", "willing_central_care", "choice", *YES_NO, optional=True),
    col("纳入日期", "entered_on", "date"),
    col("状态", "status", "choice", "在保", "停保"),
    col("停保日期", "stopped_on", "date", optional=True),
], rules=(assistance_row,))

TEMPORARY_AID = _source("temporary_aid", "临时救助月度发放明细", "month", "csv", "gbk", [
    col("行政区划代码", "region_code", "region"),
    col("身份证号", "recipient", "citizen_id"),
    col("姓名", "recipient_name", "name"),
    col("救助日期", "aid_date", "date"),
    col("救助类别", "aid_kind", "choice", "急难型", "支出型"),
    col("救助金额", "amount", "money"),
    col("是否流浪乞讨人员", "is_vagrant", "choice", *YES_NO),
])

VERIFICATION_MATTERS = ("低保申请", "特困申请", "临时救助申请", "动态复核", "低收入人口认定")

VERIFICATION = _source("verification", "居民家庭经济状况核对（核对系统）", "month", "csv", "gbk", [
    col("核对编号", "verification_id"),
    col("行政区划代码", "region_code", "region"),
    col("家庭编号", "household_id"),
    col("申请人姓名", "applicant_name", "name"),
    col("申请人身份证号", "applicant", "citizen_id"),
    col("家庭人口数", "household_members", "count"),
    col("核对日期", "verified_on", "date"),
    col("核对事项", "matter", "choice", *VERIFICATION_MATTERS),
    col("家庭月人均收入", "income_per_person", "money"),
    col("家庭金融资产", "financial_assets", "money"),
    col("机动车辆数", "vehicles", "count"),
    col("房产套数", "houses", "count"),
    col("核对结论", "conclusion", "choice", "符合", "不符合"),
    col("不符合原因", "refusal_reason", "choice", "收入超标", "资产超标", "隐瞒收入", "其他", optional=True),
    col("是否列入黑名单", "is_blacklisted", "choice", *YES_NO),
])

_PARTY = []
for _side, _prefix in (("男方", "man"), ("女方", "woman")):
    _PARTY += [
        col(f"{_side}姓名", f"{_prefix}_name", "name", optional=True),
        col(f"{_side}身份证号", _prefix, "party_id", optional=True),
        col(f"{_side}出生日期", f"{_prefix}_birth_date", "birth_date", optional=True),
        col(f"{_side}户籍地区划代码", f"{_prefix}_region_code", "region", optional=True),
        col(f"{_side}国籍地区", f"{_prefix}_nationality", "choice", *NATIONALITIES, optional=True),
    ]

MARRIAGE = _source("marriage", "婚姻登记（婚姻登记信息系统）", "month", "csv", "utf-8", [
    col("登记机关代码", "office_code"),
    col("登记类型", "registration_type", "choice", "结婚", "离婚", "补领结婚证", "补领离婚证"),
    col("登记日期", "registered_on", "date"),
    col("证书字号", "certificate_no", optional=True),
    *_PARTY,
    col("原结婚证字号", "original_certificate_no", optional=True),
], rules=(marriage_row,), extra_fields=(("man_age_at_registration", pa.int32()),
                                        ("woman_age_at_registration", pa.int32())))

MARRIAGE_ARCHIVE = _source("marriage_archive", "历史婚姻登记档案补录", "year", "xlsx", "xlsx", [
    col("档案号", "archive_no"),
    col("登记类型", "registration_type", "choice", "结婚", "离婚"),
    col("登记日期", "registered_on", "transcribed"),
    col("登记机关", "office_name_then", optional=True),
    col("男方姓名", "man_name", "name", optional=True),
    col("男方出生年月", "man_recorded_birth_month", "birth_month", optional=True),
    col("男方身份证号", "man", "citizen_id", optional=True),
    col("女方姓名", "woman_name", "name", optional=True),
    col("女方出生年月", "woman_recorded_birth_month", "birth_month", optional=True),
    col("女方身份证号", "woman", "citizen_id", optional=True),
    col("备注", "remark", optional=True),
], title_row=True)

CREMATION = _source("cremation", "殡仪馆火化和遗体处理月度明细", "month", "csv", "utf-8-sig", [
    col("遗体编号", "body_no"),
    col("逝者姓名", "deceased_name", "name"),
    col("身份证号", "deceased", "citizen_id"),
    col("性别", "sex", "choice", "男", "女"),
    col("死亡日期", "died_on", "date"),
    col("火化日期", "cremated_on", "date", optional=True),
    col("户籍区划代码", "home_region_code", "region"),
    col("处理方式", "handling", "choice", "火化", "土葬", "遗体捐献", "外运"),
    col("安葬方式", "burial_method", "choice", *BURIAL_METHODS, optional=True),
    col("惠民殡葬补贴金额", "subsidy", "money", optional=True),
], issuer="funeral_home")

DEATHS = _source("deaths", "户籍死亡人数（公安户籍）", "year", "csv", "utf-8", [
    col("乡镇区划代码", "township_code", "region"),
    col("年度", "year", "year"),
    col("死亡人数", "deaths", "count"),
])

VOLUNTEERS = _source("volunteers", "注册志愿者（全国志愿服务信息系统）", "day", "csv", "utf-8", [
    col("志愿者编号", "volunteer_no"),
    col("身份证号", "volunteer", "citizen_id"),
    col("姓名", "volunteer_name", "name"),
    col("注册日期", "registered_on", "date"),
    col("所属区划代码", "region_code", "region"),
    col("累计服务时长", "service_hours", "number"),
    col("所属组织信用代码", "organisation_credit_code", "credit_code", optional=True),
    col("状态", "status", "choice", "正常", "注销"),
])

SOCIAL_ORGS = _source("social_orgs", "社会组织登记（含慈善组织）", "day", "xlsx", "xlsx", [
    col("统一社会信用代码", "credit_code", "credit_code"),
    col("组织名称", "organisation_name"),
    col("组织类型", "organisation_type", "choice", "社会团体", "社会服务机构", "基金会"),
    col("登记日期", "registered_on", "date"),
    col("住所区划代码", "region_code", "region"),
    col("是否慈善组织", "is_charity", "choice", *YES_NO),
    col("慈善认定日期", "charity_recognised_on", "date", optional=True),
    col("是否社区社会组织", "is_community_org", "choice", *YES_NO),
    col("是否志愿服务组织", "is_volunteer_org", "choice", *YES_NO),
    col("是否社会工作服务机构", "is_social_work_org", "choice", *YES_NO),
    col("登记状态", "registration_status", "choice", "正常", "注销", "撤销"),
    col("年检结论", "inspection_result", "choice", "合格", "基本合格", "不合格", "未参检", optional=True),
], title_row=True)

DONATIONS = _source("donations", "慈善捐赠（慈善信息平台）", "year", "csv", "utf-8", [
    col("捐赠日期", "donated_on", "date"),
    col("受赠组织信用代码", "recipient_credit_code", "credit_code"),
    col("捐赠方类型", "donor_type", "choice", "个人", "企业", "其他"),
    col("金额", "amount", "money"),
    col("是否慈善信托", "is_charitable_trust", "choice", *YES_NO),
])

SOCIAL_WORKERS = _source("social_workers", "社会工作者职业资格登记", "day", "csv", "utf-8", [
    col("证书编号", "certificate_no"),
    col("身份证号", "holder", "citizen_id"),
    col("姓名", "holder_name", "name"),
    col("证书等级", "certificate_level", "choice", "助理社会工作师", "社会工作师", "高级社会工作师"),
    col("取得日期", "obtained_on", "date"),
    col("执业机构信用代码", "employer_credit_code", "credit_code", optional=True),
    col("所属区划代码", "region_code", "region"),
    col("状态", "status", "choice", "有效", "注销"),
])

CEMETERIES = _source("cemeteries", "公墓台账", "year", "xlsx", "xlsx", [
    col("公墓编号", "cemetery_id"),
    col("公墓名称", "cemetery_name"),
    col("公墓类型", "cemetery_type", "choice", "城市公益性公墓", "农村公益性公墓", "经营性公墓"),
    col("所在区划代码", "region_code", "region"),
    col("服务乡镇", "served_townships", "township_list"),
    col("设计墓穴数", "plots_designed", "count"),
    col("已用墓穴数", "plots_used", "count"),
    col("是否节地生态", "is_eco", "choice", *YES_NO),
    col("运营状态", "operating_status", "choice", "运营", "在建", "停用"),
    col("年度", "register_year", "year"),
], title_row=True)

CHILD_CATEGORIES = ("集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童")

CHILD_WELFARE = _source("child_welfare", "孤儿和事实无人抚养儿童月度名册（儿童福利信息系统）", "month", "csv", "utf-8", [
    col("儿童编号", "child_id"),
    col("姓名", "child_name", "name"),
    col("身份证号", "child", "citizen_id"),
    col("性别", "sex", "choice", "男", "女"),
    col("出生日期", "birth_month", "birth_date"),
    col("户籍区划代码", "region_code", "region"),
    col("儿童类别", "child_category", "choice", *CHILD_CATEGORIES),
    col("基本生活费标准", "standard", "money"),
    col("本月发放金额", "amount_paid", "money"),
    col("纳入日期", "entered_on", "date"),
    col("状态", "status", "choice", "在册", "退出"),
    col("退出原因", "exit_reason", "choice", "年满18周岁", "被收养", "父母情况变化", "死亡", "其他", optional=True),
    col("退出日期", "left_on", "date", optional=True),
], rules=(child_welfare_row,))

CHILD_WORKERS = _source("child_workers", "儿童督导员和儿童主任名册", "day", "csv", "utf-8", [
    col("人员编号", "worker_id"),
    col("姓名", "worker_name", "name"),
    col("身份证号", "worker", "citizen_id"),
    col("岗位", "post", "choice", "儿童督导员", "儿童主任"),
    col("所属区划代码", "region_code", "region"),
    col("任职日期", "appointed_on", "date"),
    col("状态", "status", "choice", "在岗", "离岗"),
    col("是否兼职", "is_part_time", "choice", *YES_NO),
])

ELDERLY_CARE = _source("elderly_care", "养老机构和设施月度情况", "month", "xlsx", "xlsx", [
    col("机构编号", "facility_no"),
    col("机构名称", "facility_name"),
    col("机构性质", "ownership", "choice", "公办", "公建民营", "民办"),
    col("设施类型", "facility_type", "choice", "养老机构", "特困供养机构(敬老院)", "街道综合养老服务中心",
        "社区日间照料中心", "农村互助幸福院"),
    col("所在区划代码", "region_code", "region"),
    col("总床位数", "beds", "count"),
    col("护理型床位数", "nursing_beds", "count"),
    col("在住老人数", "residents", "count"),
    col("其中失能老人数", "disabled_residents", "count"),
    col("是否医养结合", "medical_care_combined", "choice", *YES_NO),
    col("运营状态", "operating_status", "choice", "运营", "停业", "在建"),
], title_row=True, totals_row=True)

COMMUNITIES = _source("communities", "村和社区基础台账", "year", "csv", "utf-8", [
    col("区划代码", "region_code", "region"),
    col("名称", "community_name"),
    col("类型", "community_type", "choice", "城市社区", "农村社区", "行政村"),
    col("常住人口", "residents", "count"),
    col("60岁以上人口", "residents_60_plus", "count"),
    col("是否建有养老服务设施", "has_elderly_facility", "choice", *YES_NO),
    col("年度", "year", "year"),
])

REGIONS = _source("regions", "统计用区划代码和城乡划分代码（年度发布，截至本县）", "year", "csv", "utf-8", [
    col("统计用区划代码", "region_code"),
    col("名称", "region_name"),
    col("级别", "level", "choice", "县", "乡", "村"),
    col("城乡分类代码", "urban_rural_code", "choice", "111", "112", "121", "122", "123", "210", "220",
        optional=True),
    col("年度", "year", "year"),
])

REGION_CHANGES = _source("region_changes", "行政区划变更批复", "year", "csv", "utf-8", [
    col("原代码", "old_code"),
    col("原名称", "old_name"),
    col("新代码", "new_code"),
    col("新名称", "new_name"),
    col("变更类型", "change_type", "choice", "合并", "拆分", "更名", "撤销"),
    col("生效日期", "effective_on", "date"),
])

REFERENCE_STATS = _source("reference_stats", "统计年鉴参考指标", "year", "csv", "utf-8", [
    col("区划代码", "region_code"),
    col("年度", "year", "year"),
    col("指标名称", "indicator", "choice", "常住人口", "城镇居民人均消费支出", "农村居民人均消费支出"),
    col("数值", "value", "number"),
    col("单位", "unit", "choice", "人", "元"),
])

# The division table comes first: every other source's region codes are checked against it.
REFERENCE_SOURCES = (REGIONS, REGION_CHANGES)
CONTRACTS: dict[str, SourceContract] = {c.key: c for c in (
    REGIONS, REGION_CHANGES, ASSISTANCE, TEMPORARY_AID, VERIFICATION, MARRIAGE, MARRIAGE_ARCHIVE, CREMATION, DEATHS,
    VOLUNTEERS, SOCIAL_ORGS, DONATIONS, SOCIAL_WORKERS, ELDERLY_CARE, CEMETERIES, CHILD_WELFARE, CHILD_WORKERS,
    COMMUNITIES, REFERENCE_STATS,
)}

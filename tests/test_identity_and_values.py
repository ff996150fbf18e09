import datetime as dt
from decimal import Decimal

import pytest

from ingestion.errors import FieldError
from ingestion.identity import InvalidId, parse_citizen_id, person_key
from ingestion.values import parse_date, parse_money


def test_the_standard_example_id_has_check_character_x():
    # GB 11643-1999's own example.
    assert parse_citizen_id("11010519491231002X").birth_date == dt.date(1949, 12, 31)
    assert parse_citizen_id("11010519491231002x").sex == "女"


def test_a_wrong_check_character_is_refused_in_plain_chinese():
    with pytest.raises(InvalidId, match="校验位"):
        parse_citizen_id("110105194912310021")


def test_a_15_digit_id_becomes_18_digits_with_its_check_character():
    from synthetic.ids import (
        check_character as independent_check,  # a second implementation
    )
    converted = parse_citizen_id("370832560307123")
    assert converted.value == "37083219560307123" + independent_check("37083219560307123")
    assert converted.converted_from_15 and converted.sex == "男"
    assert parse_citizen_id(converted.value).value == converted.value


def test_an_id_with_an_impossible_birth_date_is_refused():
    first17 = "37083219510230123"
    from ingestion.identity import check_character
    with pytest.raises(InvalidId, match="出生日期"):
        parse_citizen_id(first17 + check_character(first17))


def test_person_keys_are_stable_per_secret_and_hide_the_id():
    cid = parse_citizen_id("11010519491231002X")
    key = person_key(cid, b"one")
    assert key == person_key(cid, b"one") != person_key(cid, b"two")
    assert "11010519491231002X" not in key and "19491231" not in key
    assert "1949" not in repr(cid)


def test_person_key_is_hmac_sha256_in_base32_as_documented():
    """The key's construction, recomputed with the standard library: keys
    written by earlier versions stay comparable with new ones."""
    import base64
    import hashlib
    import hmac

    for text in ("11010519491231002X", "370832199001011238", "110105491231002"):
        cid = parse_citizen_id(text)
        digest = hmac.new(b"secret", cid.value.encode("ascii"), hashlib.sha256).digest()
        assert person_key(cid, b"secret") == base64.b32encode(digest).decode("ascii").lower()[:24]


def test_id_facts_are_cached_but_tied_to_the_secret():
    from ingestion.identity import id_facts

    one, two = id_facts("11010519491231002X", b"one"), id_facts("11010519491231002X", b"two")
    assert (one.sex, one.birth_month, one.id_region) == ("女", "1949-12", "110105")
    assert one.person_key == person_key(parse_citizen_id("11010519491231002X"), b"one") != two.person_key
    assert id_facts("11010519491231002Y", b"one") == "身份证号含有不应出现的字符（前17位应为数字，末位为数字或X）"
    assert id_facts("1101051949123100", b"one") == "身份证号应为18位（或旧15位），实为16位"


@pytest.mark.parametrize("text,expected,precision", [
    ("1956年3月7日", dt.date(1956, 3, 7), "day"),
    ("1956.3.7", dt.date(1956, 3, 7), "day"),
    ("1956-03-07", dt.date(1956, 3, 7), "day"),
    ("2024/3/7", dt.date(2024, 3, 7), "day"),
    ("20240307", dt.date(2024, 3, 7), "day"),
    ("一九五六年三月七日", dt.date(1956, 3, 7), "day"),
    ("一九五六年十二月二十一日", dt.date(1956, 12, 21), "day"),
    ("1956年3月", dt.date(1956, 3, 1), "month"),
])
def test_every_transcribed_date_form_is_read(text, expected, precision):
    assert parse_date("登记日期", text, allow_month_only=True) == (expected, precision)


def test_impossible_and_partial_dates_name_the_field():
    with pytest.raises(FieldError, match="不存在") as err:
        parse_date("纳入日期", "2024-02-30")
    assert err.value.field == "纳入日期"
    with pytest.raises(FieldError, match="缺少日"):
        parse_date("纳入日期", "2024-02")


def test_money_accepts_thousands_separators_and_refuses_negatives():
    assert parse_money("月保障金额", "1,250.00") == Decimal("1250.00")
    with pytest.raises(FieldError, match="负数"):
        parse_money("月保障金额", "-3.00")
    with pytest.raises(FieldError, match="两位小数"):
        parse_money("月保障金额", "3.001")


def test_the_whitespace_arrow_looks_for_is_what_python_strips():
    import sys

    from ingestion.decoding import PYTHON_WHITESPACE
    assert {chr(c) for c in PYTHON_WHITESPACE} == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


@pytest.mark.parametrize("values", [
    ["甲", " 乙", "丙\u3000", "\x85丁", "戊 己", "", "\u200b庚"],     # \u200b is not whitespace
    ["370832001001", "370832001002"],
    ["\t", "a\x1f"],
])
def test_a_column_is_stripped_as_str_strip_would(values):
    import pyarrow as pa

    from ingestion.decoding import stripped
    assert stripped(pa.array(values)).to_pylist() == [v.strip() for v in values]


@pytest.mark.parametrize("text", [
    "a,b,c\n1,2,3\n4,5,6\n",
    "\ufeffa,b,c\r\n1,2,3\r\n\r\n4,5,6",                # BOM, CRLF, a blank line, no final newline
    "a,b,c\n1,2\n,,\n , ,\t\n1,2,3,4\n\n7, 8 ,9\n",      # short, comma-only, spaces-only, long rows
    "a,b\n\u3000,\u3000\n1,2\n",                          # ideographic spaces only: blank for str.strip
    "a,b,c\n",                                              # a header only
    'a,b,c\n"1,5",2,3\n4,5\n',                             # quoting: the csv module reads it
    "a,b,c\n1,2,3\r4,5,6\n",                               # a lone CR: the csv module reads it
])
def test_arrow_and_the_csv_module_read_a_csv_text_alike(text):
    from ingestion.decoding import _unquoted_body, body_of, read_csv, read_csv_body
    by_module = body_of(read_csv(text, "f.csv"))
    for body in (read_csv_body(text, "f.csv"), _unquoted_body(text) or by_module):
        assert body.header == by_module.header and body.lines == by_module.lines
        assert body.malformed == by_module.malformed
        assert [c.to_pylist() for c in body.columns] == [c.to_pylist() for c in by_module.columns]


def test_rows_typed_by_column_equal_rows_typed_one_at_a_time():
    """Each distinct value is read once and spread over its rows: the result
    must be what each row gives alone, errors and their order included."""
    import pyarrow as pa

    from ingestion.contract import CONTRACTS
    from ingestion.records import ParseContext, type_rows

    def parse_record(contract, raw, context):          # one row alone
        texts = {h: pa.array([(raw.get(h) or "").strip()]) for h in contract.required_columns}
        rows = type_rows(contract, texts, 1, context)
        return {name: column[0].as_py() for name, column in rows.out.items()}, rows.errors.get(0, [])
    contract = CONTRACTS["assistance"]
    context = ParseContext(frozenset({"370832"}), b"k", dt.date(2024, 1, 31))
    base = {"行政区划代码": "370832001001", "家庭编号": "H1", "户主姓名": "甲", "户主身份证号": "11010519491231002X",
            "救助类型": "城市低保", "保障人口数": "2", "月保障金额": "1,200.50", "保障标准": "610", "供养方式": "",
            "自理能力": "", "集中供养意愿": "", "纳入日期": "2020-01-04", "状态": "在保", "停保日期": ""}
    rows = [base, base | {"救助类型": "农村特困"}, base | {"月保障金额": "-3", "纳入日期": "2020-02-30"},
            base | {"户主身份证号": "110105194912310021", "状态": "停保"}, base | {"户主姓名": " "}, base]
    typed = type_rows(contract, {h: pa.array([r[h].strip() for r in rows]) for h in contract.required_columns},
                      len(rows), context)
    for index, raw in enumerate(rows):
        record, errors = parse_record(contract, raw, context)
        assert [(e.field, e.reason) for e in typed.errors.get(index, [])] == [(e.field, e.reason) for e in errors]
        assert {name: column[index].as_py() for name, column in typed.out.items()} == record
    assert sorted(typed.errors) == [1, 2, 3, 4]

"""Citizen ID numbers (GB 11643-1999) for synthetic people.

Deliberately independent of ``ingestion.identity``: the generator must not
share code with what it tests.
"""

from __future__ import annotations

import datetime as dt
import random

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_character(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK[total % 11]


def citizen_id(rng: random.Random, region6: str, birth: dt.date, male: bool) -> str:
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def corrupt_check_character(id18: str) -> str:
    """The same ID with a wrong check character (a typing error)."""
    wrong = [c for c in _CHECK if c != id18[-1]]
    return id18[:-1] + wrong[int(id18[-2]) % len(wrong)]


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍建国红梅海燕国强志刚淑珍凤英金凤春梅建华文学德胜玉珍秀珍广明庆丰立新"


def person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


# Unified social credit codes (统一社会信用代码, GB 32100-2015): registration
# authority (5 = 民政), organisation category, 6-digit county, 9-character
# organisation code (组织机构代码, GB 11714, with its own check character) and
# a check character over the first 17 characters (MOD 31).
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def organisation_code(rng: random.Random) -> str:
    """A 9-character GB 11714 organisation code: 8 digits and a MOD 11 check (X for 10)."""
    body = f"{rng.randrange(10_000_000, 100_000_000):08d}"
    check = 11 - sum(int(d) * w for d, w in zip(body, _ORG_CODE_WEIGHTS)) % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, county6: str, category_digit: str) -> str:
    """A civil-affairs (民政, authority 5) credit code: category 1 社会团体,
    2 民办非企业单位 / 社会服务机构, 3 基金会."""
    first17 = f"5{category_digit}{county6}{organisation_code(rng)}"
    return first17 + credit_check_character(first17)


def corrupt_credit_code(code: str) -> str:
    """The same credit code with a wrong check character (a typing error)."""
    wrong = [c for c in CREDIT_ALPHABET if c != code[-1]]
    return code[:-1] + wrong[CREDIT_ALPHABET.index(code[-2]) % len(wrong)]

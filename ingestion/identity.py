"""Citizen ID numbers (居民身份证号码, GB 11643-1999) and pseudonymous person keys."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import operator
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ID18 = re.compile(r"\d{17}[\dX]")
_ID15 = re.compile(r"\d{15}")


@dataclass(frozen=True)
class CitizenId:
    """A verified ID in its 18-character form; never logged or stored in clear."""

    value: str
    converted_from_15: bool

    @property
    def birth_date(self) -> dt.date:
        return dt.date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def sex(self) -> str:
        return "男" if int(self.value[16]) % 2 == 1 else "女"

    def __repr__(self) -> str:  # keep IDs out of tracebacks and logs
        return f"CitizenId({self.value[:6]}…)"


def check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _CHECK[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


class InvalidId(ValueError):
    """Why an ID is unusable, in plain Chinese."""


def parse_citizen_id(text: str) -> CitizenId:
    value = text.strip().upper()
    converted = False
    if _ID15.fullmatch(value):
        # Old 15-digit form: YYMMDD birth date, no check character.
        first17 = value[:6] + "19" + value[6:]
        value = first17 + check_character(first17)
        converted = True
    elif len(value) not in (15, 18):
        raise InvalidId(f"身份证号应为18位（或旧15位），实为{len(value)}位")
    elif not _ID18.fullmatch(value):
        raise InvalidId("身份证号含有不应出现的字符（前17位应为数字，末位为数字或X）")
    elif check_character(value[:17]) != value[17]:
        raise InvalidId("身份证号校验位错误")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidId("身份证号中的出生日期不存在") from None
    return CitizenId(value, converted)


def person_key(citizen_id: CitizenId, secret: bytes) -> str:
    """Pseudonymous key: keyed HMAC-SHA256, stable for one installation's secret.

    A keyed hash, not a plain one: the ID space is small enough to enumerate,
    so without the secret nobody can recompute a key from an ID. Base32
    (a-z, 2-7), not hex, so a key never looks like an ID number to a
    reader or a scanner: 24 characters, 120 bits.
    """
    return _key_text(hmac.digest(secret, citizen_id.value.encode("ascii"), "sha256"))


def pseudonym_of_text(value: str, secret: bytes) -> str:
    """Key of an identifier that is not a valid citizen ID (a travel document, a
    mistyped ID): the same construction over the text, in its own domain so
    it can never collide with a citizen's key."""
    normalised = "text:" + value.strip().upper()
    return _key_text(hmac.digest(secret, normalised.encode("utf-8"), "sha256"))


_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_BASE32_PAIRS = [a + b for a in _BASE32 for b in _BASE32]    # 10 bits → 2 characters


def _key_text(digest: bytes) -> str:
    """The digest's first 120 bits in lower-case RFC 4648 base32, 24 characters:
    what ``base64.b32encode(digest)[:24].lower()`` gives, without its per-call
    overhead (it ran once per row read)."""
    bits = int.from_bytes(digest[:15], "big")
    return "".join([_BASE32_PAIRS[(bits >> shift) & 1023] for shift in range(110, -1, -10)])


@dataclass(frozen=True)
class IdFacts:
    """What a row keeps of a valid citizen ID: never the ID itself."""

    citizen_id: CitizenId
    person_key: str
    sex: str
    birth_month: str            # YYYY-MM
    id_region: str              # the first six digits


@functools.lru_cache(maxsize=1 << 18)
def id_facts(text: str, secret: bytes) -> IdFacts | str:
    """A citizen ID's facts, or why it is unusable (the reason, not an exception,
    so the answer can be cached too).

    Cached in memory for the life of the process: a monthly roll repeats the
    same people every month, and a yearly register repeats last year's, so
    most IDs read are seen before. 262,144 entries, a few hundred MB at most;
    nothing of it leaves the process.
    """
    try:
        cid = parse_citizen_id(text)
    except InvalidId as exc:
        return str(exc)
    birth = cid.value[6:10] + "-" + cid.value[10:12]
    return IdFacts(cid, person_key(cid, secret), cid.sex, birth, cid.value[:6])

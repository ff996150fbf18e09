"""The region hierarchy of the synthetic world, rooted at Liangshan County.

Codes follow 统计用区划代码: 2 province, 2 city, 2 county, 3 township
(001-099 街道, 100-199 镇, 200-399 乡), 3 village (001-199 居委会,
200-399 村委会).
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTY6 = "370832"
COUNTY_NAME = "梁山县"


@dataclass(frozen=True)
class Township:
    code: str          # 12 digits, village part 000
    name: str
    villages: tuple[str, ...]  # 12-digit village codes

    @property
    def kind(self) -> str:
        part = int(self.code[6:9])
        return "街道" if part < 100 else "镇" if part < 200 else "乡"

    @property
    def is_urban(self) -> bool:
        """Assistance type follows the township: 街道 urban, 镇 / 乡 rural."""
        return self.kind == "街道"


def _township(part: int, name: str, residents: int, villages: int) -> Township:
    code = f"{COUNTY6}{part:03d}000"
    codes = [f"{COUNTY6}{part:03d}{i:03d}" for i in range(1, residents + 1)]
    codes += [f"{COUNTY6}{part:03d}{i:03d}" for i in range(200, 200 + villages)]
    return Township(code, name, tuple(codes))


def tiny_county() -> list[Township]:
    """Four townships: two streets, a town and a township, a few villages each."""
    return [
        _township(1, "梁山街道", residents=3, villages=0),
        _township(2, "水泊街道", residents=2, villages=1),
        _township(101, "拳铺镇", residents=1, villages=3),
        _township(201, "大路口乡", residents=0, villages=3),
    ]

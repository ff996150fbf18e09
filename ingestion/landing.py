"""The landing folder: which deliveries are there, for which period and version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.contract import SourceContract


@dataclass(frozen=True)
class DeliveredFile:
    source: str
    path: Path
    issuer: str     # county code, or the funeral home's code for cremation
    period: str     # partition key, e.g. 2024-03
    version: int    # 1 for the first delivery, N for _vN

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def slot(self) -> tuple[str, str]:
        """What a higher version replaces: one issuer's file of a period (a
        county's, or a funeral home's: each sends its own)."""
        return self.period, self.issuer


@dataclass(frozen=True)
class LandingScan:
    files: list[DeliveredFile]
    unrecognised: list[Path]   # files in the source folder whose name breaks the contract
    other_counties: list[DeliveredFile] = field(default_factory=list)   # … of a county not served
    counties: tuple[str, ...] = ()      # the counties served, when the scan was asked for them

    def by_slot(self) -> dict[tuple[str, str], list[DeliveredFile]]:
        """Each slot's deliveries (a period of one issuer), highest version first."""
        grouped: dict[tuple[str, str], list[DeliveredFile]] = defaultdict(list)
        for f in self.files:
            grouped[f.slot].append(f)
        return {s: sorted(fs, key=lambda f: (-f.version, f.name)) for s, fs in sorted(grouped.items())}

    def by_period(self) -> dict[str, list[DeliveredFile]]:
        """Each period's deliveries, highest version first (of a folder one issuer delivers to)."""
        return {period: files for (period, _), files in self.by_slot().items()}

    @property
    def periods(self) -> list[str]:
        return sorted({f.period for f in self.files})

    def not_read(self) -> list[str]:
        """What the office reads about each file left unread: a name that
        breaks the contract, then another county's delivery."""
        return ([unrecognised_message(path) for path in self.unrecognised]
                + [other_county_message(f, self.counties) for f in self.other_counties])


def scan(landing_dir: Path, contract: SourceContract, counties: Collection[str] | None = None) -> LandingScan:
    """The deliveries of one source; with ``counties``, those of the counties served only.

    A file named for another county is set apart, never loaded: its figures
    are that county's to report, and its codes lie outside the division
    table the home holds. Funeral homes' files (cremation) name the home, not
    a county, and are all kept: a home serves the residents of neighbouring
    counties too."""
    if isinstance(counties, str):
        raise TypeError("counties is a collection of 6-digit codes, not one string")
    served = tuple(counties) if counties is not None else ()
    folder = Path(landing_dir) / contract.key
    if not folder.is_dir():
        return LandingScan([], [])
    files, unrecognised, other_counties = [], [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        m = contract.file_pattern.fullmatch(path.name)
        if not m:
            unrecognised.append(path)
            continue
        delivered = DeliveredFile(contract.key, path, m["issuer"], contract.period_key(m["period"]),
                                  int(m["version"] or 1))
        if served and contract.issuer == "county" and delivered.issuer not in served:
            other_counties.append(delivered)
        else:
            files.append(delivered)
    return LandingScan(files, unrecognised, other_counties, served)


def unrecognised_message(path: Path) -> str:
    """What the office reads about a file whose name breaks the contract."""
    return f"{path.name}: 文件名不符合约定，未读取"


def other_county_message(delivered: DeliveredFile, counties: Collection[str]) -> str:
    """What the office reads about a delivery named for a county this home does not serve."""
    return f"{delivered.name}: 文件名中的县级代码{delivered.issuer}不是本库服务的{'、'.join(counties)}，未读取"

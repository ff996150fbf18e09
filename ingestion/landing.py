"""The landing folder: which deliveries are there, for which period and version."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LandingScan:
    files: list[DeliveredFile]
    unrecognised: list[Path]   # files in the source folder whose name breaks the contract

    def by_period(self) -> dict[str, list[DeliveredFile]]:
        """Each period's deliveries, highest version first."""
        grouped: dict[str, list[DeliveredFile]] = defaultdict(list)
        for f in self.files:
            grouped[f.period].append(f)
        return {p: sorted(fs, key=lambda f: (-f.version, f.name)) for p, fs in sorted(grouped.items())}

    @property
    def periods(self) -> list[str]:
        return sorted({f.period for f in self.files})


def scan(landing_dir: Path, contract: SourceContract) -> LandingScan:
    folder = Path(landing_dir) / contract.key
    if not folder.is_dir():
        return LandingScan([], [])
    files, unrecognised = [], []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        m = contract.file_pattern.fullmatch(path.name)
        if not m:
            unrecognised.append(path)
            continue
        files.append(DeliveredFile(contract.key, path, m["issuer"],
                                   contract.period_key(m["period"]), int(m["version"] or 1)))
    return LandingScan(files, unrecognised)

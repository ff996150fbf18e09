"""Entry point of the generator: a landing folder and its truth manifest."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from pathlib import Path

from synthetic import assistance
from synthetic.delivery import DefectLog
from synthetic.regions import COUNTY6, tiny_county

SCALES = {"tiny": {"initial_households": 120}}


@dataclass(frozen=True)
class GenerateRequest:
    out: Path
    scale: str = "tiny"
    seed: int = 1
    start: str = "2024-01"
    end: str = "2024-06"
    defect_rate: float = 0.02


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise ValueError(f"a month is written YYYY-MM, got {text!r}") from exc


def generate(request: GenerateRequest) -> dict:
    """Write the landing layout under ``request.out``; return a short summary."""
    if request.scale not in SCALES:
        raise ValueError(f"unknown scale {request.scale!r}; available: {', '.join(SCALES)}")
    start, end = _month(request.start), _month(request.end)
    if end < start:
        raise ValueError(f"--end {request.end} is before --start {request.start}")
    out = Path(request.out)
    out.mkdir(parents=True, exist_ok=True)
    defects = DefectLog()
    scale = SCALES[request.scale]
    # One independent random stream per source keeps each source stable when
    # another source's model changes.
    world = assistance.AssistanceWorld(tiny_county(), random.Random(f"{request.seed}:assistance"))
    world.simulate(start, end, scale["initial_households"])
    roll_truth = assistance.write_files(world, out, start, end, request.defect_rate, defects)
    truth = {
        "generator": {"scale": request.scale, "seed": request.seed, "start": request.start,
                      "end": request.end, "defect_rate": request.defect_rate, "county": COUNTY6},
        "files": sorted(str(p.relative_to(out)) for p in out.glob("*/*") if not p.parent.name.startswith("_")),
        "defects": defects.entries,
        "assistance": {"monthly_by_township_and_type": roll_truth},
    }
    truth_path = out / "_truth" / "truth.json"
    truth_path.parent.mkdir(exist_ok=True)
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    return {"out": str(out), "files": len(truth["files"]), "defects": len(defects.entries),
            "truth": str(truth_path)}

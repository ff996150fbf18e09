"""Entry point of the generator: a landing folder and its truth manifest.

Counties are generated one after another (two at a time at the province
scale, one per core) and dropped once written, so memory holds at most one
county's world per worker whatever the scale. Each county draws from its own
random streams, so the files do not depend on the order or the parallelism.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from synthetic import (
    assistance,
    cemeteries,
    child_welfare,
    child_workers,
    elderly,
    funeral,
    marriage,
    monitoring,
    organisations,
    registers,
    verification,
)
from synthetic.regions import COUNTY_NAMES, SHAPES, build_county
from synthetic.world import GenerationContext

log = logging.getLogger(__name__)

# Order matters: a source may leave people in ctx.registry for a later one
# (the marriage model's deceased spouses appear in the cremation records).
GENERATORS = (registers, assistance, verification, organisations, marriage, funeral, cemeteries, elderly,
              child_welfare, child_workers)

SCALES = {
    "tiny": {"counties": ("370832",), "shape": "tiny"},
    "county": {"counties": ("370832",), "shape": "county"},
    # Two tiny neighbouring counties (梁山, 嘉祥): a province's home in small, for tests.
    "pair": {"counties": ("370832", "370829"), "shape": "tiny"},
    # Jining, Heze and Zaozhuang: 26 counties, a province-sized consolidation.
    "province": {"counties": tuple(COUNTY_NAMES), "shape": "county"},
}


@dataclass(frozen=True)
class GenerateRequest:
    out: Path
    scale: str = "tiny"
    seed: int = 1
    start: str = "2024-01"
    end: str = "2024-06"
    defect_rate: float = 0.02
    rule_breaches: bool = True      # plant M01–M09 breaches (off: a defect-free corpus with --defect-rate 0)
    workers: int | None = None      # processes for multi-county scales (default: cores, at most 2)


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise ValueError(f"a month is written YYYY-MM, got {text!r}") from exc


def _validate(request: GenerateRequest) -> tuple[dt.date, dt.date]:
    if request.scale not in SCALES:
        raise ValueError(f"unknown scale {request.scale!r}; available: {', '.join(SCALES)}")
    start, end = _month(request.start), _month(request.end)
    if end < start:
        raise ValueError(f"--end {request.end} is before --start {request.start}")
    if start.year < 1990:
        raise ValueError("the electronic systems start in 1990 at the earliest; --start is too early")
    if not 0 <= request.defect_rate < 1:
        raise ValueError(f"--defect-rate must be in [0, 1), got {request.defect_rate}")
    return start, end


def generate_county(request: GenerateRequest, county6: str) -> dict:
    """Every source of one county; returns its defects, targets, sections and timings."""
    start, end = _validate(request)
    shape = SCALES[request.scale]["shape"]
    ctx = GenerationContext(out=Path(request.out), seed=request.seed, scale=shape, first_month=start,
                            last_month=end, defect_rate=request.defect_rate,
                            rule_breaches=request.rule_breaches)
    county = build_county(ctx.rng_for(county6, "regions"), county6, COUNTY_NAMES[county6], SHAPES[shape],
                          start, end)
    timings: dict[str, float] = {}
    for module in GENERATORS:
        began = time.perf_counter()
        module.generate(county, ctx)
        timings[module.__name__.rsplit(".", 1)[-1]] = time.perf_counter() - began
    # The monitoring truth reads the clean rows of the roll, temporary aid and verifications.
    began = time.perf_counter()
    monitoring.record_truth(county, ctx)
    timings["monitoring"] = time.perf_counter() - began
    return {"county": county6, "defects": ctx.defects.entries, "targets": ctx.truth.targets,
            "sections": ctx.truth.sections, "seconds": timings}


def generate(request: GenerateRequest, progress=None) -> dict:
    """Write the landing layout under ``request.out``; return a short summary.

    ``progress(county_code, {source: seconds})`` is called as each county is done.
    """
    _validate(request)
    out = Path(request.out)
    out.mkdir(parents=True, exist_ok=True)
    counties = SCALES[request.scale]["counties"]
    workers = request.workers or min(2, os.cpu_count() or 1)
    if len(counties) == 1 or workers == 1:
        results = []
        for county6 in counties:
            results.append(generate_county(request, county6))
            if progress:
                progress(county6, results[-1]["seconds"])
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(generate_county, request, c) for c in counties]
            results = []
            for future in futures:      # in county order, whatever finishes first
                results.append(future.result())
                if progress:
                    progress(results[-1]["county"], results[-1]["seconds"])
    return _write_truth(request, out, results)


def _write_truth(request: GenerateRequest, out: Path, results: list[dict]) -> dict:
    files = sorted(str(p.relative_to(out)) for p in out.glob("*/*") if not p.parent.name.startswith("_"))
    truth = {
        "generator": {"scale": request.scale, "seed": request.seed, "start": request.start,
                      "end": request.end, "defect_rate": request.defect_rate,
                      "rule_breaches": request.rule_breaches,
                      "counties": [r["county"] for r in results]},
        "files": files,
        "defects": [d for r in results for d in r["defects"]],
        "targets": sorted((t for r in results for t in r["targets"]),
                          key=lambda t: (t["target"], t["region"], t["year"])),
    }
    if len(results) == 1:
        truth.update(results[0]["sections"])
    else:
        # Each county's own detail, under its code.
        truth["counties"] = {r["county"]: r["sections"] for r in results}
    truth_path = out / "_truth" / "truth.json"
    truth_path.parent.mkdir(exist_ok=True)
    truth_path.write_text(json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    seconds: dict[str, float] = {}
    for r in results:
        for source, s in r["seconds"].items():
            seconds[source] = seconds.get(source, 0.0) + s
    return {"out": str(out), "files": len(files), "defects": len(truth["defects"]),
            "truth": str(truth_path), "seconds_by_source": seconds}

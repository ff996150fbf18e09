"""The landing sensor: new files and corrections become runs for exactly their partitions."""

import hashlib
import json

import dagster as dg

from ingestion import landing
from ingestion.contract import CONTRACTS
from orchestration.ingestion.assets import raw_asset_key
from orchestration.ingestion.partitions import partitions_for, snapshot_partitions
from orchestration.resources import CivstatResource


def _signature(path) -> str:
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def landing_requests(landing_dir, seen: dict[str, str], job_of) -> tuple[list[dg.RunRequest], list[str], dict]:
    """Run requests for the (source, period) pairs whose files are new or changed.

    ``seen`` maps ``<source>/<file>`` to its size and modification time at the
    last look; the returned map replaces it as the cursor. One request per
    affected partition, whatever the number of files behind it.
    """
    now: dict[str, str] = {}
    changed: dict[tuple[str, str], list[str]] = {}
    for contract in CONTRACTS.values():
        for delivered in landing.scan(landing_dir, contract).files:
            name = f"{contract.key}/{delivered.name}"
            now[name] = _signature(delivered.path)
            if seen.get(name) != now[name]:
                changed.setdefault((contract.key, delivered.period), []).append(f"{name}@{now[name]}")
    requests, snapshot_keys = [], []
    for (source, period), files in sorted(changed.items()):
        if partitions_for(CONTRACTS[source]) is snapshot_partitions:
            snapshot_keys.append(period)
        digest = hashlib.sha256("|".join(sorted(files)).encode()).hexdigest()[:16]
        requests.append(dg.RunRequest(
            run_key=f"{source}:{period}:{digest}", job_name=job_of(source), partition_key=period,
            asset_selection=[raw_asset_key(source)], tags={"civstat/source": source}))
    return requests, sorted(set(snapshot_keys)), now


def _job_of(source: str) -> str:
    from orchestration.jobs import INGESTION_JOBS

    partitions = partitions_for(CONTRACTS[source])
    return next(name for name, job in INGESTION_JOBS.items() if job.partitions_def is partitions)


@dg.sensor(name="landing_folder", minimum_interval_seconds=60,
           description="Watches the landing folder; a new file or a _vN correction requests an ingestion run "
                       "for exactly its source and period.")
def landing_sensor(context: dg.SensorEvaluationContext, civstat: CivstatResource) -> dg.SensorResult:
    settings = civstat.settings()
    seen = json.loads(context.cursor) if context.cursor else {}
    requests, snapshot_keys, now = landing_requests(settings.landing_dir, seen, _job_of)
    known = set(context.instance.get_dynamic_partitions(snapshot_partitions.name)) if snapshot_keys else set()
    new_keys = [k for k in snapshot_keys if k not in known]
    return dg.SensorResult(
        run_requests=requests,
        cursor=json.dumps(now, sort_keys=True),
        dynamic_partitions_requests=[snapshot_partitions.build_add_request(new_keys)] if new_keys else [],
    )

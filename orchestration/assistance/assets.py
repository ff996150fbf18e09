"""Ingestion of the 低保 / 特困 roll (source ``assistance``), one partition per month."""


import dagster as dg

from ingestion import landing
from ingestion.contract import ASSISTANCE
from ingestion.load import ingest_period
from ingestion.store import RawStore
from orchestration.partitions import monthly_partitions
from orchestration.resources import CivstatResource


@dg.asset(
    key=["raw", "assistance"],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="assistance",
    kinds={"python", "parquet"},
    description="低保和特困救助对象月度名册: the highest delivered version of each month, "
                "typed and pseudonymised; bad rows quarantined with their reasons.",
)
def raw_assistance(context: dg.AssetExecutionContext, civstat: CivstatResource) -> dg.MaterializeResult:
    settings = civstat.settings()
    store = RawStore(settings.raw_dir)
    scan = landing.scan(settings.landing_dir, ASSISTANCE)
    for path in scan.unrecognised:
        context.log.warning(f"{path.name}: file name does not follow the contract; not loaded")
    delivered = scan.by_period()
    outcomes: dict[str, int] = {}
    rows = {"read": 0, "loaded": 0, "quarantined": 0}
    for period in context.partition_keys:
        if period not in delivered:
            outcomes["nothing_delivered"] = outcomes.get("nothing_delivered", 0) + 1
            continue
        result = ingest_period(store, delivered[period], county6=settings.county_code,
                               secret=settings.pseudonym_key(), run_id=context.run_id)
        outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        rows["read"] += result.rows_read
        rows["loaded"] += result.rows_loaded
        rows["quarantined"] += result.rows_quarantined
        for message in result.messages:
            context.log.warning(message)
        context.log.info(f"{period}: {result.outcome} {result.file_name or ''} "
                         f"({result.rows_loaded} loaded, {result.rows_quarantined} quarantined)")
    return dg.MaterializeResult(metadata={
        "periods": dg.MetadataValue.json(outcomes),
        "rows_read": rows["read"],
        "rows_loaded": rows["loaded"],
        "rows_quarantined": rows["quarantined"],
        "unrecognised_files": len(scan.unrecognised),
    })

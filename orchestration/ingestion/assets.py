"""One ingestion asset per source of extracts.md, partitioned as its data comes."""

import dagster as dg

from ingestion import landing
from ingestion.contract import CONTRACTS, REFERENCE_SOURCES, SourceContract
from ingestion.load import ingest_source
from ingestion.store import RawStore
from orchestration.ingestion.partitions import partitions_for
from orchestration.resources import CivstatResource

DIVISION_TABLE_KEYS = [dg.AssetKey(["raw", c.key]) for c in REFERENCE_SOURCES]


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(["raw", source])


def ingestion_asset(contract: SourceContract) -> dg.AssetsDefinition:
    # Every source's region codes are checked against the division table.
    deps = [] if contract in REFERENCE_SOURCES else [
        dg.AssetDep(key, partition_mapping=dg.AllPartitionMapping()) for key in DIVISION_TABLE_KEYS]

    @dg.asset(
        key=raw_asset_key(contract.key),
        partitions_def=partitions_for(contract),
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=deps,
        group_name="ingestion",
        kinds={"python", "parquet"},
        description=f"{contract.description}: the highest delivered version of each period, typed and "
                    f"pseudonymised; rows that cannot be read quarantined with their reasons.",
    )
    def _asset(context: dg.AssetExecutionContext, civstat: CivstatResource) -> dg.MaterializeResult:
        settings = civstat.settings()
        scan = landing.scan(settings.landing_dir, contract, settings.counties)
        for message in scan.not_read():
            context.log.warning(message)
        results = ingest_source(RawStore(settings.raw_dir), settings.landing_dir, contract,
                                counties=settings.counties, secret=settings.pseudonym_key(),
                                periods=list(context.partition_keys), run_id=context.run.run_id,
                                workers=settings.ingestion_workers, max_file_bytes=settings.max_file_mb * 2**20)
        for result in results:
            for message in result.messages:
                context.log.warning(message)
            context.log.info(f"{result.period}: {result.outcome} {result.file_name or ''} "
                             f"({result.rows_loaded} loaded, {result.rows_quarantined} quarantined)")
        rejected = [r for r in results if r.outcome == "rejected"]
        return dg.MaterializeResult(metadata={
            "files": dg.MetadataValue.json({f"{r.period} {r.file_name or ''}".strip(): r.outcome for r in results}),
            "rows_read": sum(r.rows_read for r in results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results),
            "encodings": ", ".join(sorted({r.encoding for r in results if r.encoding})) or "none",
            "rejected_files": len(rejected),
            "unrecognised_files": len(scan.unrecognised),
            "other_county_files": len(scan.other_counties),
        })

    return _asset


INGESTION_ASSETS = [ingestion_asset(c) for c in CONTRACTS.values()]

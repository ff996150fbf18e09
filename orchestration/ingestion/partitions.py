"""Partitions as the data comes: monthly extracts, yearly ones, the archive, snapshots."""

import dagster as dg

from ingestion.contract import SourceContract

# Monthly extracts (rolls, events): from the provincial systems' first month.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2015-01", fmt="%Y-%m", end_offset=1)
# Yearly extracts (registers, counts, releases).
yearly_partitions = dg.TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", start="2015", fmt="%Y",
                                                      end_offset=1)
# The marriage archive: one partition per historical year since 1949.
archive_partitions = dg.TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", start="1949", fmt="%Y",
                                                       end_offset=1)
# Snapshots come on the dates departments choose: added as they are delivered.
snapshot_partitions = dg.DynamicPartitionsDefinition(name="snapshot_date")


def partitions_for(contract: SourceContract) -> dg.PartitionsDefinition:
    if contract.key == "marriage_archive":
        return archive_partitions
    return {"month": monthly_partitions, "year": yearly_partitions, "day": snapshot_partitions}[contract.period_kind]

"""Partitions as the data comes."""

import dagster as dg

# Monthly extracts (rolls, events): the provincial systems' first month.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2015-01", fmt="%Y-%m", end_offset=1)

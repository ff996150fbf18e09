"""civstat: the data warehouse and ETL pipeline for civil-affairs statistics."""

__version__ = "0.1.0"

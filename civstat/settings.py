"""The one settings object of civstat.

Resolved once at start (CLI, Dagster code location, tests) from, in order of
precedence: explicit overrides, environment variables, an optional TOML file
(``CIVSTAT_CONFIG`` or ``<home>/civstat.toml``), and the embedded defaults
under ``var/``. Every path is absolute. Nothing here is read at import time.

Environment variables (all optional)::

    CIVSTAT_HOME            state directory (default: <repo>/var)
    CIVSTAT_CONFIG          TOML file with any of the keys below
    CIVSTAT_LANDING_DIR     where departments drop their extracts
    CIVSTAT_WAREHOUSE_PATH  the DuckDB file dbt builds
    CIVSTAT_PSEUDONYM_KEY   secret for pseudonymous person keys (required unless demo)
    CIVSTAT_DEMO            1 for the demo: a generated local key is allowed
    CIVSTAT_DUCKDB_THREADS, CIVSTAT_DUCKDB_MEMORY_LIMIT
    CIVSTAT_SERVING_VERSIONS_KEPT, CIVSTAT_INGESTION_WORKERS
    CIVSTAT_MAX_FILE_MB     the largest delivery read (MB); a larger one is rejected
    CIVSTAT_COUNTIES        the counties the warehouse serves, 6 digits each, comma-separated
                            (default 370832); one for a county's home, several for a
                            province's (docs/settings.md, "One county or several")
    CIVSTAT_COUNTY_CODE     the same for one county (the older name; set one of the two)
    CIVSTAT_DAGSTER_HOME    the Dagster instance's directory (default <home>/dagster;
                            a server's holds orchestration/deploy/dagster.yaml)
    CIVSTAT_DISCLOSURE_CONTROL  0 to publish dashboards and public exports without
                            hiding small cells (default 1: counts 1–4 by township hidden)
    CIVSTAT_SUPERSET_URL, CIVSTAT_SUPERSET_USER, CIVSTAT_SUPERSET_PASSWORD
    CIVSTAT_ENGINE          what builds and checks the warehouse: duckdb (default) or
                            spark (dbt-spark; dbt_project/README.md, "Two engines")
    CIVSTAT_SPARK_METHOD    session (Spark inside civstat's processes, its metastore
                            and tables under CIVSTAT_SPARK_DIR, default <home>/spark)
                            or thrift (a cluster's Thrift server:
                            CIVSTAT_SPARK_HOST, _PORT, _USER, _AUTH, _USE_SSL;
                            CIVSTAT_SPARK_THREADS: dbt's threads, default 2;
                            a password in CIVSTAT_SPARK_PASSWORD only, never in a file)
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

_ENV_PREFIX = "CIVSTAT_"
ENGINES = ("duckdb", "spark")
SPARK_METHODS = ("session", "thrift")

# A home's Dagster instance: SQLite under <home>/dagster, the event log's
# connections kept open (orchestration/instance_storage.py). base_dir comes
# from the environment, so a copied home writes into its own files.
HOME_INSTANCE_YAML = """\
storage:
  custom:
    module: orchestration.instance_storage
    class: KeptOpenSqliteStorage
    config:
      base_dir:
        env: DAGSTER_HOME
telemetry:
  enabled: false
"""
_HOME_INSTANCE_YAML_BEFORE = "telemetry:\n  enabled: false\n"


def dbt_executable() -> str:
    """dbt from civstat's own environment, whether or not it is activated
    (found without importing dagster-dbt: `civstat dbt` starts 3 s sooner)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class SettingsError(ValueError):
    """A setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    home: Path
    landing_dir: Path
    raw_dir: Path
    warehouse_path: Path
    serving_dir: Path
    dagster_home: Path
    counties: tuple[str, ...] = ("370832",)   # the counties served (县级区划代码)
    duckdb_threads: int = 2
    duckdb_memory_limit: str = "4GB"
    ingestion_workers: int = os.cpu_count() or 1     # processes typing rows of a large source
    max_file_mb: int = 512    # a larger delivery is rejected: reading one takes ~10× its size in memory
    serving_versions_kept: int = 5
    superset_url: str = "http://127.0.0.1:8088"
    superset_user: str = "admin"
    superset_password: str | None = None
    demo: bool = False        # CIVSTAT_DEMO=1: generated local secrets are allowed
    disclosure_control: bool = True   # small cells hidden in dashboards and public exports
    pseudonym_key_env: str | None = dataclasses.field(default=None, repr=False)
    engine: str = "duckdb"
    spark_method: str = "session"
    spark_dir: Path | None = None     # session: metastore and tables (default <home>/spark)
    spark_host: str = "localhost"     # thrift
    spark_port: int = 10000
    spark_user: str | None = None
    spark_auth: str | None = None     # as dbt-spark takes it: NONE, NOSASL, LDAP, KERBEROS, …
    spark_use_ssl: bool = False
    spark_threads: int = 2            # dbt's threads on Spark
    # session: sized for one machine (Spark's defaults are a cluster's: 200
    # shuffle partitions cost every small statement; a 1 GB driver is short)
    spark_shuffle_partitions: int = 4
    spark_driver_memory: str = "4g"

    # ------------------------------------------------------------------ load
    @classmethod
    def load(cls, overrides: Mapping[str, Any] | None = None,
             environ: Mapping[str, str] | None = None) -> "Settings":
        """Resolve the settings from overrides, environment, file and defaults."""
        env = os.environ if environ is None else environ
        given = {k: v for k, v in (overrides or {}).items() if v is not None}

        home = Path(given.get("home") or env.get("CIVSTAT_HOME") or REPO_ROOT / "var").resolve()
        from_env = {name: env[_ENV_PREFIX + name.upper()]
                    for name in [field.name for field in dataclasses.fields(cls)] + ["county_code"]
                    if _ENV_PREFIX + name.upper() in env and name not in ("home", "pseudonym_key_env")}
        values: dict[str, Any] = {}
        for layer in (_read_config_file(env.get("CIVSTAT_CONFIG"), home), from_env, given):
            values.update(_counties_from_county_code(layer))
        values["home"] = home
        values.setdefault("landing_dir", home / "landing")
        values.setdefault("raw_dir", home / "raw")
        values.setdefault("warehouse_path", home / "warehouse" / "warehouse.duckdb")
        values.setdefault("serving_dir", home / "serving")
        values.setdefault("dagster_home", home / "dagster")
        values.setdefault("spark_dir", home / "spark")
        values["pseudonym_key_env"] = env.get("CIVSTAT_PSEUDONYM_KEY")
        return cls(**_coerce(values))

    # --------------------------------------------------------------- derived
    @property
    def serving_path(self) -> Path:
        """The published marts, opened read-only by every reader."""
        return self.serving_dir / "civstat.duckdb"

    @property
    def dbt_project_dir(self) -> Path:
        return DBT_PROJECT_DIR

    @property
    def county_code(self) -> str:
        """The county of a home that serves one (most homes); a province's
        home has no such thing, and code that assumes one fails here."""
        if len(self.counties) != 1:
            raise SettingsError(f"this home serves {len(self.counties)} counties ({', '.join(self.counties)}), "
                                "not one")
        return self.counties[0]

    def pseudonym_key(self) -> bytes:
        """The secret behind pseudonymous keys.

        ``CIVSTAT_PSEUDONYM_KEY`` in production; without it civstat refuses to
        run. In demo mode (``CIVSTAT_DEMO=1``, what ``make demo`` sets) a random
        key is created once under ``<home>/secrets`` so keys stay stable
        across runs of the same installation; it never leaves that file.
        """
        key_file = self.home / "secrets" / "pseudonym.key"
        if not self.demo and key_file.exists():
            # Keys made with the demo key must never mix with production keys, and
            # a key that sat in a file of the home is no secret.
            raise SettingsError(f"{self.home} holds a demo pseudonymisation key ({key_file}): its data were "
                                "keyed for a demo. Outside demo mode use a new home (CIVSTAT_HOME) with "
                                "CIVSTAT_PSEUDONYM_KEY set")
        if self.pseudonym_key_env:
            return self.pseudonym_key_env.encode("utf-8")
        if not self.demo:
            raise SettingsError("CIVSTAT_PSEUDONYM_KEY is not set: civstat will not pseudonymise personal data "
                                "without a secret (set it, or CIVSTAT_DEMO=1 for a demo with a generated local key)")
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = key_file.with_suffix(".tmp")
            tmp.write_text(secrets.token_hex(32), encoding="ascii")
            tmp.chmod(0o600)
            os.replace(tmp, key_file)
        return key_file.read_text(encoding="ascii").strip().encode("ascii")

    def ensure_dirs(self) -> None:
        for path in (self.landing_dir, self.raw_dir, self.warehouse_path.parent,
                     self.serving_dir, self.dagster_home):
            path.mkdir(parents=True, exist_ok=True)
        dagster_yaml = self.dagster_home / "dagster.yaml"
        # A server's file (Postgres, docs/deployment.md) is left alone; a home
        # made before the kept-open storage gets it.
        if not dagster_yaml.exists() or dagster_yaml.read_text(encoding="utf-8") == _HOME_INSTANCE_YAML_BEFORE:
            dagster_yaml.write_text(HOME_INSTANCE_YAML, encoding="utf-8")

    def export_env(self) -> None:
        """Make these settings visible to child processes (dbt, Dagster workers)."""
        os.environ.update(self.child_env())

    def child_env(self) -> dict[str, str]:
        env = {
            "CIVSTAT_HOME": str(self.home),
            "CIVSTAT_LANDING_DIR": str(self.landing_dir),
            "CIVSTAT_RAW_DIR": str(self.raw_dir),
            "CIVSTAT_WAREHOUSE_PATH": str(self.warehouse_path),
            "CIVSTAT_SERVING_DIR": str(self.serving_dir),
            "CIVSTAT_COUNTIES": ",".join(self.counties),
            "CIVSTAT_DUCKDB_THREADS": str(self.duckdb_threads),
            "CIVSTAT_DUCKDB_MEMORY_LIMIT": self.duckdb_memory_limit,
            "DAGSTER_HOME": str(self.dagster_home),
            # dbt's target for `civstat dbt`, and where a build finds the
            # last build's parsed project (orchestration/dbt/assets.py).
            "DBT_TARGET_PATH": str(self.home / "dbt" / "target"),
            "CIVSTAT_DEMO": "1" if self.demo else "0",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            # dbt runs from the same environment as civstat, activated or not.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            # dbt's target (dbt_project/profiles.yml) and its Spark connection
            "CIVSTAT_ENGINE": self.engine,
            "CIVSTAT_SPARK_METHOD": self.spark_method,
            "CIVSTAT_SPARK_DIR": str(self.spark_dir),
            "CIVSTAT_SPARK_HOST": self.spark_host,
            "CIVSTAT_SPARK_PORT": str(self.spark_port),
            "CIVSTAT_SPARK_USE_SSL": "1" if self.spark_use_ssl else "0",
            "CIVSTAT_SPARK_THREADS": str(self.spark_threads),
            "CIVSTAT_SPARK_SHUFFLE_PARTITIONS": str(self.spark_shuffle_partitions),
            "CIVSTAT_SPARK_DRIVER_MEMORY": self.spark_driver_memory,
        }
        env.update({name: value for name, value in (("CIVSTAT_SPARK_USER", self.spark_user),
                                                    ("CIVSTAT_SPARK_AUTH", self.spark_auth)) if value})
        return env


def _read_config_file(explicit: str | None, home: Path) -> dict[str, Any]:
    path = Path(explicit) if explicit else home / "civstat.toml"
    if not path.exists():
        if explicit:
            raise SettingsError(f"CIVSTAT_CONFIG names {path}, which does not exist")
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    unknown = set(data) - {f.name for f in dataclasses.fields(Settings)} - {"pseudonym_key", "county_code"}
    if unknown:
        raise SettingsError(f"{path}: unknown settings {sorted(unknown)}")
    if "pseudonym_key" in data:
        raise SettingsError(f"{path}: keep the pseudonym key in CIVSTAT_PSEUDONYM_KEY, not in a file")
    return data


def _flag(name: str, value: Any) -> bool:
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name} must be 1 or 0 (true or false), got {value!r}")


def _coerce(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in ("landing_dir", "raw_dir", "warehouse_path", "serving_dir", "dagster_home", "spark_dir"):
        out[name] = Path(out[name]).expanduser().resolve()
    out["demo"] = _flag("demo", out.get("demo", False))
    out["disclosure_control"] = _flag("disclosure_control", out.get("disclosure_control", True))
    out["spark_use_ssl"] = _flag("spark_use_ssl", out.get("spark_use_ssl", False))
    for name, allowed in (("engine", ENGINES), ("spark_method", SPARK_METHODS)):
        value = str(out.get(name, getattr(Settings, name))).strip().lower()
        if value not in allowed:
            raise SettingsError(f"{name} must be one of {', '.join(allowed)}, got {out.get(name)!r}")
        out[name] = value
    for name in ("duckdb_threads", "spark_port", "spark_threads", "spark_shuffle_partitions", "serving_versions_kept",
                 "ingestion_workers", "max_file_mb"):
        try:
            out[name] = int(out.get(name, getattr(Settings, name)))
        except ValueError as exc:
            raise SettingsError(f"{name} must be a whole number, got {out[name]!r}") from exc
    out["counties"] = _county_list(out.get("counties", Settings.counties))
    return out


def _counties_from_county_code(layer: Mapping[str, Any]) -> dict[str, Any]:
    """One layer of settings (file, environment, overrides) with ``county_code``
    (one county, the older setting) as ``counties`` of one."""
    out = dict(layer)
    if "county_code" in out:
        if "counties" in out:
            raise SettingsError("set counties or county_code (one county), not both")
        out["counties"] = [out.pop("county_code")]
    return out


def _county_list(value: Any) -> tuple[str, ...]:
    """The counties served, from a list (TOML, code) or a comma-separated text (environment)."""
    items = value.split(",") if isinstance(value, str) else list(value)
    counties = tuple(str(item).strip() for item in items)
    for county in counties:
        if not (len(county) == 6 and county.isdigit()):
            raise SettingsError(f"a county is a 6-digit code (county_code, counties), got {county!r}")
    if not counties:
        raise SettingsError("counties is empty: name at least one county")
    if len(set(counties)) != len(counties):
        raise SettingsError(f"counties names a county twice: {', '.join(counties)}")
    return counties

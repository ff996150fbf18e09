"""What a build must redo: the assets downstream of what changed since the last good build.

A month's update brings a few files; rebuilding every model and running every
test for them is what made an update as slow as a full build. After each
build whose dbt step succeeded, the state it was built from is written to
``<home>/dbt/last_build.json``:

- the loaded version of every source period (``RawStore.applied_versions``);
- the ingestion ledger (a rejected file changes the file accounting, not the data);
- the explained exceptions, suite by suite;
- a fingerprint of what builds and checks the warehouse: the dbt project as
  parsed (nodes' SQL checksums, configs and dependencies, macros), the quality
  rules' code and the county served.

The next build compares. A changed fingerprint, or no state (a first build, a
failed one), rebuilds everything. Otherwise only the assets downstream of the
changed sources are selected, with their dbt tests and quality suites, plus
publication; the incremental facts rebuild only the changed months. An
explained exception (`civstat exception add`) changes what reads the
exceptions (the marriage rule checks and the correction list) and the verdict
of its suite: those are rebuilt and that suite runs again, nothing else. Comparing
with the last *good* build, not with the run before, is what makes a failed
build's work come back in the next one.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from civstat.settings import REPO_ROOT, Settings
from expectations.exceptions import ExceptionRegister
from ingestion.contract import CONTRACTS
from ingestion.store import RawStore

STATE_FILE = "last_build.json"
# The dbt sources that read the ingestion ledger and quarantine (not a source's rows).
LEDGER_ASSETS = [dg.AssetKey(["ingestion", name])
                 for name in ("ledger", "quarantine", "loaded_files", "loaded_file_provenance")]
# The dbt source of the explained exceptions (models/staging/quality).
EXCEPTIONS_ASSET = dg.AssetKey(["quality", "exceptions"])
# Code whose change means every figure may change.
RULE_CODE = ("expectations", "warehouse")


@dataclass(frozen=True)
class BuildState:
    versions: frozenset[tuple]      # (source, period, issuer, sha256) loaded
    ledger: str                     # hash of the ledger's entries
    fingerprint: str                # hash of the project, rules and county
    exceptions: tuple[tuple[str, str], ...] = ()    # (suite, hash of its explained exceptions)

    def to_json(self) -> str:
        return json.dumps({"versions": sorted(list(v) for v in self.versions), "ledger": self.ledger,
                           "fingerprint": self.fingerprint, "exceptions": dict(self.exceptions)},
                          ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> BuildState:
        data = json.loads(text)
        return cls(frozenset(tuple(v) for v in data["versions"]), data["ledger"], data["fingerprint"],
                   tuple(sorted(data["exceptions"].items())))


@dataclass(frozen=True)
class BuildPlan:
    window: tuple[str, str]                  # months the incremental facts rebuild
    assets: frozenset[dg.AssetKey] | None    # None: every asset of the build job
    reason: str                              # why, in one line for the run summary

    @property
    def full(self) -> bool:
        return self.assets is None


def current_state(settings: Settings, manifest_path: Path) -> BuildState:
    ExceptionRegister(settings.home).ensure()      # as the build will find it
    store = RawStore(settings.raw_dir)
    versions = frozenset((v["source"], v["period"], v["issuer"] or "", v.get("sha256") or "")
                         for v in store.applied_versions())
    return BuildState(versions, _hash(store.ledger_file_names()), fingerprint(settings, manifest_path),
                      explained_by_suite(settings))


def fingerprint(settings: Settings, manifest_path: Path) -> str:
    """What builds and checks the warehouse, as a hash. dbt's parse times and
    invocation ids are left out: the same project parsed twice hashes alike."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = {uid: [n.get("checksum", {}).get("checksum"), n.get("config"), n.get("depends_on")]
             for uid, n in {**manifest["nodes"], **manifest["sources"]}.items()}
    macros = {uid: m.get("macro_sql") for uid, m in manifest["macros"].items()
              if m.get("package_name") == manifest["metadata"].get("project_name")}
    rules = {str(p.relative_to(REPO_ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
             for folder in RULE_CODE for p in sorted((REPO_ROOT / folder).rglob("*.py"))}
    return _hash([nodes, macros, rules, settings.counties])


def explained_by_suite(settings: Settings) -> tuple[tuple[str, str], ...]:
    """Each suite with explained exceptions, and a hash of its statements (the
    register is append-only: a statement's id says what is in it)."""
    ids: dict[str, list[str]] = {}
    for statement in ExceptionRegister(settings.home).statements():
        ids.setdefault(statement["suite"], []).append(statement["exception_id"])
    return tuple(sorted((suite, _hash(sorted(found))) for suite, found in ids.items()))


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


def read_state(settings: Settings) -> BuildState | None:
    path = settings.home / "dbt" / STATE_FILE
    try:
        return BuildState.from_json(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError, KeyError):
        return None


def write_state(settings: Settings, state: BuildState) -> None:
    """Written after the dbt step of a build succeeded (replaced whole, never half)."""
    path = settings.home / "dbt" / STATE_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{STATE_FILE}.{os.getpid()}")
    temporary.write_text(state.to_json(), encoding="utf-8")
    os.replace(temporary, path)


def plan_build(last: BuildState | None, now: BuildState, graph, build_keys: set[dg.AssetKey]) -> BuildPlan:
    """The window and the assets to rebuild from ``last`` to ``now``."""
    from orchestration.dbt.assets import ALL_MONTHS, build_window
    from orchestration.ingestion.assets import raw_asset_key

    if last is None:
        return BuildPlan(ALL_MONTHS, None, "no earlier good build: everything")
    if last.fingerprint != now.fingerprint:
        return BuildPlan(ALL_MONTHS, None, "models, rules or county changed: everything")
    changed = now.versions ^ last.versions           # loaded, replaced or gone
    sources = sorted({source for source, *_ in changed})
    roots = [raw_asset_key(source) for source in sources]
    if now.ledger != last.ledger:
        roots += LEDGER_ASSETS
    # A suite whose exceptions changed runs again: its asset is selected (its
    # check with it), not what lies downstream, which the exceptions do not change.
    suites = sorted({suite for suite, _ in set(now.exceptions) ^ set(last.exceptions)})
    rechecked = {check.asset_key for check in graph.asset_check_keys if check.name in suites}
    if suites:
        roots.append(EXCEPTIONS_ASSET)
    downstream = dg.AssetSelection.assets(*roots).downstream().resolve(graph) if roots else set()
    assets = frozenset(((downstream | rechecked) & build_keys) | {dg.AssetKey("serving_marts")})
    if any(CONTRACTS[source].period_kind != "month" for source in sources):
        window = ALL_MONTHS     # a register or the division table can move any month's figures
    else:
        window = build_window(sorted({period for _, period, *_ in changed}))
    what = ", ".join(sources + [f"explained exceptions of {suite}" for suite in suites]) or (
        "the ingestion ledger" if now.ledger != last.ledger else "nothing")
    return BuildPlan(window, assets, f"changed since the last good build: {what}")

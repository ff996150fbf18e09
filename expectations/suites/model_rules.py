"""Validity suites of the facts and dimensions, from the rules declared on their columns.

A fact's or dimension's rules are written once, where its columns are
described: the dbt YAML of the model (``not_null``, ``unique``,
``accepted_values``, ``relationships``, ``expression_is_true``,
``unique_combination_of_columns``). dbt documents them (``make docs``); this
module turns each into a GX expectation, so the gate runs them after every
build, names every failing record by the model's key, file and row, and:

- for a **fact**, withholds the figures of its source for the periods with a
  failing record (the model's ``meta.gate``: ``source`` and ``period``);
- for a **dimension** (no ``meta.gate``), stops publication: every figure
  is read through it.

A test of dbt severity ``warn`` becomes a WARNING rule: listed, withholding
nothing. The Dagster build leaves these tests to the gate (see
``gated_test_names``), so a broken rule withholds figures instead of
stopping the build.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import great_expectations as gx

from expectations.rules import Rule, Severity, Suite

E = gx.expectations

GATED_PREFIXES = ("fct_", "dim_")
LINEAGE_COLUMNS = ("source_file", "source_row")


def model_suites(manifest_path: Path) -> list[Suite]:
    """One validity suite per fact and dimension of the dbt manifest."""
    manifest = _manifest(manifest_path)
    tests = _gated_tests(manifest)
    return [_suite(node, manifest, tests.get(node["unique_id"], []))
            for node in sorted(_gated_models(manifest), key=lambda n: n["name"])]


def gated_test_names(manifest_path: Path) -> list[str]:
    """The dbt tests the gate runs instead of dbt (excluded from `dbt build`)."""
    manifest = _manifest(manifest_path)
    return sorted(t["name"] for tests in _gated_tests(manifest).values() for t in tests)


def _manifest(manifest_path: Path) -> dict:
    """The manifest, parsed once per version of the file (the dbt assets and
    the checks both read it when the definitions load)."""
    path = Path(manifest_path)
    return _parsed(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed(path: Path, mtime_ns: int) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _gated_models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["name"].startswith(GATED_PREFIXES)]


def _gated_tests(manifest: dict) -> dict[str, list[dict]]:
    """Generic tests attached to a fact or dimension, by model id."""
    models = {n["unique_id"] for n in _gated_models(manifest)}
    out: dict[str, list[dict]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata") and node.get("attached_node") in models:
            out.setdefault(node["attached_node"], []).append(node)
    return out


def _suite(model: dict, manifest: dict, tests: list[dict]) -> Suite:
    gate = model["config"].get("meta", {}).get("gate") or {}
    keys = _key_columns(model, tests, gate.get("period"))
    relation = f"{model['schema']}.{model['alias']}"
    return Suite(
        name=f"{model['name']}_validity",
        relation=relation,
        key_columns=keys,
        rules=tuple(_rule(t, manifest, keys) for t in sorted(tests, key=lambda t: t["name"])),
        withholds=gate.get("source"),
        period_column=gate.get("period"),
    )


def _key_columns(model: dict, tests: list[dict], period: str | None) -> tuple[str, ...]:
    """The model's key (from its uniqueness test), its period, then file and row:
    what a failing record is named by."""
    key: list[str] = []
    for test in sorted(tests, key=lambda t: t["test_metadata"]["name"] != "unique_combination_of_columns"):
        kwargs = test["test_metadata"]["kwargs"]
        if test["test_metadata"]["name"] == "unique_combination_of_columns":
            key = list(kwargs["columns"])
            break
        if test["test_metadata"]["name"] == "unique":
            key = [kwargs["column_name"]]
            break
    if not key:
        raise ValueError(f"{model['name']}: a gated model needs a unique or unique_combination_of_columns test "
                         "(its key names the failing records)")
    extra = ([period] if period else []) + [c for c in LINEAGE_COLUMNS if c in model["columns"]]
    return tuple(dict.fromkeys(key + extra))


def _rule(test: dict, manifest: dict, keys: tuple[str, ...]) -> Rule:
    if test["config"].get("where"):
        raise ValueError(f"{test['name']}: a 'where' config is not translated to the gate")
    kind, kwargs = test["test_metadata"]["name"], test["test_metadata"]["kwargs"]
    column = kwargs.get("column_name")
    if kind not in _TRANSLATIONS:
        raise ValueError(f"{test['name']}: no gate translation for dbt test {kind!r} "
                         f"(known: {', '.join(_TRANSLATIONS)})")
    zh, en, expectation = _TRANSLATIONS[kind](kwargs, column, manifest, ", ".join(keys))
    severity = Severity.WARNING if test["config"].get("severity", "error").lower() == "warn" else Severity.VALIDITY
    rule_id = f"{kind}({column or ', '.join(kwargs.get('columns', []))})" if kind != "expression_is_true" \
        else f"expression_is_true({kwargs['expression']})"
    return Rule(rule_id, zh, en, expectation, severity=severity)


def _not_null(kwargs, column, manifest, keys):
    return f"{column} 不为空", f"{column} is never null", E.ExpectColumnValuesToNotBeNull(column=column)


def _unique(kwargs, column, manifest, keys):
    return f"{column} 不重复", f"{column} is unique", E.ExpectColumnValuesToBeUnique(column=column)


def _unique_combination(kwargs, column, manifest, keys):
    columns = list(kwargs["columns"])
    return (f"{'、'.join(columns)} 组合不重复", f"({', '.join(columns)}) is unique",
            E.ExpectCompoundColumnsToBeUnique(column_list=columns))


def _accepted_values(kwargs, column, manifest, keys):
    values = list(kwargs["values"])
    return (f"{column} 取值在代码表内（{'、'.join(map(str, values))}）", f"{column} in {values}",
            E.ExpectColumnValuesToBeInSet(column=column, value_set=values))


def _relationships(kwargs, column, manifest, keys):
    parent = _relation_of(kwargs["to"], manifest)
    field = kwargs["field"]
    # GX inlines {batch} as an aliased subquery: no alias of ours, and `not in`
    # over a null-free list (as dbt's own relationships test does).
    query = (f"select {keys} from {{batch}} where {column} is not null "
             f"and {column} not in (select {field} from {parent} where {field} is not null)")
    return (f"{column} 在 {parent}.{field} 中存在", f"{column} refers to an existing {parent}.{field}",
            E.UnexpectedRowsExpectation(description=f"{column} → {parent}.{field}", unexpected_rows_query=query))


def _expression_is_true(kwargs, column, manifest, keys):
    expression = kwargs["expression"]
    query = f"select {keys} from {{batch}} where not ({expression})"
    return (f"满足 {expression}", f"every row satisfies {expression}",
            E.UnexpectedRowsExpectation(description=expression, unexpected_rows_query=query))


_TRANSLATIONS = {
    "not_null": _not_null,
    "unique": _unique,
    "unique_combination_of_columns": _unique_combination,
    "accepted_values": _accepted_values,
    "relationships": _relationships,
    "expression_is_true": _expression_is_true,
}


def _relation_of(ref_text: str, manifest: dict) -> str:
    """``ref('dim_region')`` → ``marts.dim_region`` (the model or seed it names)."""
    name = ref_text.split("'")[1] if "'" in ref_text else ref_text.split('"')[1]
    for node in manifest["nodes"].values():
        if node["resource_type"] in ("model", "seed") and node["name"] == name:
            return f"{node['schema']}.{node['alias']}"
    raise ValueError(f"relationships test refers to {ref_text}, which is not in the manifest")

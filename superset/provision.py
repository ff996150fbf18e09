"""Provision Superset from the files in ``superset/dashboards/``, idempotently.

One database (the serving DuckDB file, read-only), the datasets of
``_datasets.yaml`` and, per other YAML file, one dashboard with its charts and
native filters. Every object is looked up by its name (database name, dataset
name, chart name, dashboard slug): missing ones are created, differing ones
updated in place, equal ones left alone, so a second run creates and changes
nothing. Chart, dataset and dashboard definitions are compact YAML; this module
turns them into Superset's ``params`` / ``query_context`` / ``json_metadata``.
All calls go through ``superset/api.py`` (superset-api-client and its workarounds).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from supersetapiclient.charts import Chart
from supersetapiclient.dashboards import Dashboard
from supersetapiclient.databases import Database
from supersetapiclient.datasets import Dataset

from civstat.settings import Settings

from .api import Superset, connect

log = logging.getLogger(__name__)

DASHBOARDS_DIR = Path(__file__).resolve().parent / "dashboards"
DATABASE_NAME = "civstat 发布库（只读）"
SCHEMA = "marts"

_VIZ = {"big_number_total": "big_number_total", "big_number": "big_number",
        "line": "echarts_timeseries_line", "bar": "echarts_timeseries_bar", "table": "table"}
_COLUMN_FIELDS = ("id", "column_name", "verbose_name", "expression", "is_dttm", "type", "filterable", "groupby",
                  "description", "python_date_format")
_METRIC_FIELDS = ("id", "metric_name", "verbose_name", "expression", "metric_type", "d3format", "description")


# ------------------------------------------------------------------ definitions
@dataclass
class Definitions:
    datasets: list[dict]
    dashboards: list[dict]

    def dataset(self, name: str) -> dict:
        for ds in self.datasets:
            if dataset_name(ds) == name:
                return ds
        raise ValueError(f"no dataset {name!r} in _datasets.yaml")


def dataset_name(ds: dict) -> str:
    return ds.get("table") or ds["name"]


def dataset_schema(ds: dict) -> str:
    """The schema of a physical dataset (``schema:``, e.g. public_marts for a
    table with small cells hidden), and the default schema of a virtual one."""
    return ds.get("schema", SCHEMA)


def load_definitions(folder: Path = DASHBOARDS_DIR) -> Definitions:
    """Read ``_datasets.yaml`` and every dashboard file; check that names are unique and references resolve."""
    datasets = yaml.safe_load((folder / "_datasets.yaml").read_text(encoding="utf-8"))["datasets"]
    dashboards = [yaml.safe_load(p.read_text(encoding="utf-8")) | {"file": p.name}
                  for p in sorted(folder.glob("*.yaml")) if not p.name.startswith("_")]
    defs = Definitions(datasets, dashboards)
    chart_names: set[str] = set()
    for dash in dashboards:
        keys = {c["key"] for c in dash["charts"]}
        for chart in dash["charts"]:
            defs.dataset(chart["dataset"])
            if chart["name"] in chart_names:
                raise ValueError(f"{dash['file']}: chart name {chart['name']!r} is used twice")
            chart_names.add(chart["name"])
            if chart["viz"] not in _VIZ:
                raise ValueError(f"{dash['file']}: chart {chart['key']}: unknown viz {chart['viz']!r}")
        for flt in dash.get("filters", []):
            defs.dataset(flt["dataset"])
            if set(flt.get("exclude", [])) - keys:
                raise ValueError(f"{dash['file']}: filter {flt['key']} excludes unknown charts")
            if flt.get("default", "first") != "first":
                raise ValueError(f"{dash['file']}: filter {flt['key']}: default can only be 'first'")
        laid_out = [k for row in dash["layout"] for k in row]
        notes = [n["key"] for n in dash.get("notes", [])]
        if sorted(laid_out) != sorted([*keys, *notes]):
            raise ValueError(f"{dash['file']}: the layout must place every chart and note exactly once")
    return defs


# ---------------------------------------------------------------------- report
@dataclass
class Report:
    """What a provisioning run did: per kind, name -> (action, id)."""

    objects: dict[str, dict[str, tuple[str, int]]] = field(default_factory=dict)

    def note(self, kind: str, name: str, action: str, obj_id: int) -> int:
        self.objects.setdefault(kind, {})[name] = (action, obj_id)
        log.info("%s %s: %s (id %s)", kind, name, action, obj_id)
        return obj_id

    def ids(self, kind: str) -> dict[str, int]:
        return {name: obj_id for name, (_, obj_id) in self.objects.get(kind, {}).items()}

    def count(self, action: str) -> int:
        return sum(1 for objs in self.objects.values() for a, _ in objs.values() if a == action)


# -------------------------------------------------------------------- provision
def provision(settings: Settings, url: str | None = None, user: str | None = None, password: str | None = None,
              definitions: Definitions | None = None) -> Report:
    """Create or update the database, datasets, charts and dashboards from the YAML files."""
    from .service import admin_credentials

    if user is None or password is None:
        user, password = admin_credentials(settings)
    client = connect(url or settings.superset_url, user, password)
    return apply(client, settings.serving_path, definitions or load_definitions())


# What a chart looks like in Superset's chart list: enough to tell an
# unchanged chart without fetching it (its query_context is not listed; the
# digest in its params stands for it, see _chart).
_CHART_LIST_COLUMNS = ["id", "slice_name", "viz_type", "params", "description", "dashboards.id"]


def apply(client: Superset, serving_path: Path, defs: Definitions) -> Report:
    report = Report()
    db_id = _database(client, serving_path, report)
    ds_ids = {dataset_name(ds): _dataset(client, db_id, ds, report) for ds in defs.datasets}
    defaults = filter_defaults(serving_path, defs)
    charts = {c["slice_name"]: c for c in client.list_all("chart", _CHART_LIST_COLUMNS, "slice_name")}
    for dash in defs.dashboards:
        _dashboard(client, dash, defs, ds_ids, defaults, charts, report)
    return report


def filter_defaults(serving_path: Path, defs: Definitions) -> dict[tuple[str, str], str]:
    """(dashboard slug, filter key) → the value a filter with ``default: first``
    opens on: its first value in the filter's own order (the county before its
    townships, the latest year first), read from the serving file. Superset's
    "select first value" only marks the value in the filter bar without
    filtering the charts, so the value goes into the filter's default data mask."""
    import duckdb

    out = {}
    con = duckdb.connect(str(serving_path), read_only=True)
    try:
        for dash in defs.dashboards:
            for flt in dash.get("filters", []):
                if flt.get("default") == "first":
                    row = con.execute(_first_value_sql(flt, defs.dataset(flt["dataset"]))).fetchall()
                    if row:
                        out[(dash["slug"], flt["key"])] = str(row[0][0])
    finally:
        con.close()
    return out


def _first_value_sql(flt: dict, ds: dict) -> str:
    source = f"{dataset_schema(ds)}.{ds['table']}" if "table" in ds else f"({ds['sql']})"
    column = flt["column"]
    if flt.get("sort_metric"):
        [metric] = [m["sql"] for m in ds.get("metrics", []) if m["name"] == flt["sort_metric"]]
        order = metric
    else:
        order = f"{column} {'asc' if flt.get('sort_ascending', True) else 'desc'}"
    return (f"select {column} from {source} as d where ({flt.get('only', 'true')}) and {column} is not null "
            f"group by {column} order by {order} limit 1")


def database_uri(serving_path: Path) -> str:
    """DuckDB, read-only: Superset takes a shared lock per query only (shared/notes/superset.md)."""
    return f"duckdb:///{Path(serving_path).resolve()}?access_mode=read_only"


def _database(client: Superset, serving_path: Path, report: Report) -> int:
    wanted = {"database_name": DATABASE_NAME, "sqlalchemy_uri": database_uri(serving_path),
              "expose_in_sqllab": True, "allow_ctas": False, "allow_cvas": False, "allow_dml": False,
              "allow_run_async": False, "allow_file_upload": False}
    found = client.find("database", database_name=DATABASE_NAME)
    if not found:
        db = Database(**{k: v for k, v in wanted.items() if k in Database.field_names()},
                      extra=json.dumps({"metadata_params": {}, "engine_params": {}}))
        db_id = client.databases.add(db)
        client.update("database", db_id, wanted)  # what the client's Database has no field for
        return report.note("database", DATABASE_NAME, "created", db_id)
    db_id = found[0]["id"]
    current = client.database_connection(db_id)
    if all(current.get(k) == v for k, v in wanted.items()):
        return report.note("database", DATABASE_NAME, "unchanged", db_id)
    client.update("database", db_id, wanted)
    return report.note("database", DATABASE_NAME, "updated", db_id)


def _dataset(client: Superset, db_id: int, ds: dict, report: Report) -> int:
    name = dataset_name(ds)
    schema = dataset_schema(ds)
    found = [d for d in client.find("dataset", table_name=name) if d.get("schema") == schema]
    action = "unchanged"
    if not found:
        obj = Dataset(table_name=name, schema=schema, database_id=db_id, sql=ds.get("sql", "").strip() or None)
        ds_id = client.datasets.add(obj)
        action = "created"
    else:
        ds_id = found[0]["id"]
    current = client.fetch("dataset", ds_id)
    if "sql" in ds and (current.get("sql") or "").strip() != ds["sql"].strip():
        client.update("dataset", ds_id, {"sql": ds["sql"].strip()})
        client.refresh_dataset(ds_id)
        current = client.fetch("dataset", ds_id)
        action = "updated" if action == "unchanged" else action
    wanted = _dataset_payload(ds, current)
    if _dataset_differs(wanted, current):
        client.update("dataset", ds_id, wanted, override_columns="false")
        action = "updated" if action == "unchanged" else action
    return report.note("dataset", name, action, ds_id)


def _dataset_payload(ds: dict, current: dict) -> dict:
    labels = ds.get("labels", {})
    calculated = {c["name"]: c for c in ds.get("calculated", [])}
    columns = []
    for col in current["columns"]:
        if col.get("expression") and col["column_name"] not in calculated:
            continue  # a calculated column no longer defined
        out = {k: col.get(k) for k in _COLUMN_FIELDS if k in col}
        name = col["column_name"]
        if name in calculated:
            out["expression"] = calculated[name]["sql"]
            out["verbose_name"] = calculated[name]["label"]
        elif name in labels:
            out["verbose_name"] = labels[name]
        if name == ds.get("time_column"):
            out["is_dttm"] = True
        columns.append(out)
    existing = {c["column_name"] for c in current["columns"]}
    for name, calc in calculated.items():
        if name not in existing:
            columns.append({"column_name": name, "expression": calc["sql"], "verbose_name": calc["label"],
                            "type": "VARCHAR", "filterable": True, "groupby": True, "is_dttm": False})
    defined = {m["name"]: m for m in ds.get("metrics", [])}
    metrics = []
    for met in current["metrics"]:
        out = {k: met.get(k) for k in _METRIC_FIELDS if k in met}
        if met["metric_name"] in defined:
            out["expression"] = defined[met["metric_name"]]["sql"]
            out["verbose_name"] = defined[met["metric_name"]]["label"]
        metrics.append(out)
    have = {m["metric_name"] for m in current["metrics"]}
    metrics += [{"metric_name": n, "expression": m["sql"], "verbose_name": m["label"]}
                for n, m in defined.items() if n not in have]
    payload = {"description": ds.get("description", ""), "columns": columns, "metrics": metrics}
    if ds.get("time_column"):
        payload["main_dttm_col"] = ds["time_column"]
    return payload


def _dataset_differs(wanted: dict, current: dict) -> bool:
    if any(current.get(k) != v for k, v in wanted.items() if k not in ("columns", "metrics")):
        return True
    for kind, key in (("columns", "column_name"), ("metrics", "metric_name")):
        have = {c[key]: c for c in current[kind]}
        if set(have) != {c[key] for c in wanted[kind]}:
            return True
        for want in wanted[kind]:
            if any(have[want[key]].get(k) != v for k, v in want.items() if k != "id"):
                return True
    return False


# --------------------------------------------------------------------- charts
def _sql_filter(expression: str) -> dict:
    return {"expressionType": "SQL", "clause": "WHERE", "sqlExpression": expression, "subject": None,
            "operator": None, "comparator": None, "isExtra": False, "isNew": False,
            "filterOptionName": "filter_" + _short(expression)}


def _metric(metric: dict) -> dict:
    return {"expressionType": "SQL", "sqlExpression": metric["sql"], "label": metric["label"],
            "hasCustomLabel": True, "optionName": "metric_" + _short(metric["label"] + metric["sql"])}


def _short(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def _axis(column: str, temporal: bool, grain: str = "P1M") -> dict:
    axis = {"columnType": "BASE_AXIS", "sqlExpression": column, "label": column, "expressionType": "SQL"}
    if temporal:
        axis["timeGrain"] = grain
    return axis


def chart_params(chart: dict, ds_id: int, ds: dict) -> dict:
    """Superset's form data for a chart of the YAML."""
    viz = _VIZ[chart["viz"]]
    params: dict[str, Any] = {"viz_type": viz, "datasource": f"{ds_id}__table",
                              "adhoc_filters": [_sql_filter(w) for w in chart.get("where", [])],
                              "row_limit": chart.get("row_limit", 10000)}
    temporal = chart.get("x") == ds.get("time_column")
    if viz == "big_number_total":
        params.update(metric=_metric(chart["metric"]), subheader=chart.get("subheader", ""),
                      header_font_size=0.4, subheader_font_size=0.15, y_axis_format="SMART_NUMBER")
    elif viz == "big_number":
        yearly = chart.get("grain") == "year"
        params.update(metric=_metric(chart["metric"]), x_axis=chart["x"], time_grain_sqla="P1Y" if yearly else "P1M",
                      subheader=chart.get("subheader", ""), show_trend_line=True, start_y_axis_at_zero=True,
                      compare_lag=1, compare_suffix="较上年" if yearly else "较上月", header_font_size=0.4,
                      subheader_font_size=0.15, y_axis_format="SMART_NUMBER", time_format="%Y" if yearly else "%Y-%m")
    elif viz in ("echarts_timeseries_line", "echarts_timeseries_bar"):
        params.update(x_axis=chart["x"], metrics=[_metric(m) for m in chart["metrics"]],
                      groupby=chart.get("groupby", []), show_legend=True, legendType="scroll",
                      legendOrientation="top", rich_tooltip=True, y_axis_format="SMART_NUMBER",
                      x_axis_title_margin=15, truncate_metric=True, orientation="vertical",
                      stack="Stack" if chart.get("stack") else None, markerEnabled=True)
        if temporal:
            params.update(time_grain_sqla="P1M", x_axis_time_format="%Y-%m")
        else:
            params.update(x_axis_sort_asc=True)
    elif viz == "table":
        if "columns" in chart:
            params.update(query_mode="raw", all_columns=chart["columns"],
                          order_by_cols=[json.dumps(_order(o)) for o in chart.get("order_by", [])])
        else:
            params.update(query_mode="aggregate", groupby=chart["groupby"],
                          metrics=[_metric(m) for m in chart["metrics"]], order_desc=True)
        params.update(server_pagination=False, include_search=True, show_cell_bars=False, allow_rearrange_columns=False)
    return params


def _order(spec: str) -> list:
    column, _, direction = spec.partition(" ")
    return [column, direction.strip().lower() != "desc"]


def query_context(params: dict, ds_id: int, ds: dict) -> dict:
    """The saved query behind a chart, as the frontend would build it from ``params``."""
    viz = params["viz_type"]
    where = " AND ".join(f"({f['sqlExpression']})" for f in params["adhoc_filters"])
    query: dict[str, Any] = {"filters": [], "extras": {"having": "", "where": where}, "applied_time_extras": {},
                             "columns": [], "metrics": [], "orderby": [], "annotation_layers": [],
                             "row_limit": params["row_limit"], "series_limit": 0, "order_desc": True,
                             "url_params": {}, "custom_params": {}, "custom_form_data": {},
                             "time_range": "No filter", "post_processing": []}
    if viz == "big_number_total":
        query["metrics"] = [params["metric"]]
    elif viz == "big_number":
        query["metrics"] = [params["metric"]]
        query["columns"] = [_axis(params["x_axis"], True, params["time_grain_sqla"])]
        query["orderby"] = [[params["x_axis"], True]]
    elif viz in ("echarts_timeseries_line", "echarts_timeseries_bar"):
        temporal = params["x_axis"] == ds.get("time_column")
        query["columns"] = [_axis(params["x_axis"], temporal), *params["groupby"]]
        query["metrics"] = params["metrics"]
        query["orderby"] = [[params["metrics"][0], False]]
    elif viz == "table" and params["query_mode"] == "raw":
        query["columns"] = params["all_columns"]
        # No metrics at all, not an empty list: Superset groups by the columns
        # whenever metrics is not None, which merges equal rows and refuses an
        # ORDER BY on a column not shown.
        query["metrics"] = None
        query["orderby"] = [json.loads(o) for o in params["order_by_cols"]]
    elif viz == "table":
        query["columns"] = params["groupby"]
        query["metrics"] = params["metrics"]
        query["orderby"] = [[params["metrics"][0], False]]
    return {"datasource": {"id": ds_id, "type": "table"}, "force": False, "queries": [query],
            "form_data": params, "result_format": "json", "result_type": "full"}


def _chart(client: Superset, chart: dict, ds_id: int, ds: dict, dash_id: int, listed: dict[str, dict],
           report: Report) -> int:
    params = chart_params(chart, ds_id, ds)
    context = json.dumps(query_context(params, ds_id, ds), ensure_ascii=False, sort_keys=True)
    # The chart list leaves query_context out: a digest of it in params (kept by
    # Superset as given; lost if someone re-saves the chart in the UI, which
    # then counts as a change) tells an unchanged chart from the list alone.
    params = {**params, "civstat_query_context_sha256": hashlib.sha256(context.encode()).hexdigest()}
    wanted = {"slice_name": chart["name"], "viz_type": params["viz_type"], "params": json.dumps(params,
              ensure_ascii=False), "query_context": context,
              "description": chart.get("description", ""), "datasource_id": ds_id, "datasource_type": "table",
              "dashboards": [dash_id]}
    current = listed.get(chart["name"])
    action = "unchanged"
    if current is None:
        obj = Chart(slice_name=chart["name"], viz_type=params["viz_type"], datasource_id=ds_id,
                    datasource_type="table", params=wanted["params"])
        chart_id = client.charts.add(obj)
        current = {}
        action = "created"
    else:
        chart_id = current["id"]
    same = (current.get("viz_type") == wanted["viz_type"]
            and _loads(current.get("params")) == params
            and (current.get("description") or "") == wanted["description"]
            and sorted(d["id"] for d in current.get("dashboards", [])) == [dash_id])
    if not same:
        client.update("chart", chart_id, wanted)
        action = "updated" if action == "unchanged" else action
    return report.note("chart", chart["name"], action, chart_id)


def _loads(text: str | None) -> Any:
    return json.loads(text) if text else None


# ----------------------------------------------------------------- dashboards
def _dashboard(client: Superset, dash: dict, defs: Definitions, ds_ids: dict[str, int],
               defaults: dict[tuple[str, str], str], charts: dict[str, dict], report: Report) -> int:
    found = client.find("dashboard", slug=dash["slug"])
    action = "unchanged"
    if not found:
        obj = Dashboard(dashboard_title=dash["title"], published=True, slug=dash["slug"],
                        json_metadata="{}", position_json="{}")
        dash_id = client.dashboards.add(obj)
        action = "created"
    else:
        dash_id = found[0]["id"]
    chart_ids = {chart["key"]: _chart(client, chart, ds_ids[chart["dataset"]], defs.dataset(chart["dataset"]),
                                      dash_id, charts, report)
                 for chart in dash["charts"]}
    position = _position(dash, chart_ids)
    metadata = _metadata(dash, chart_ids, ds_ids, defaults)
    current = client.fetch("dashboard", dash_id)
    current_meta = _loads(current.get("json_metadata")) or {}
    same = (current.get("dashboard_title") == dash["title"] and current.get("published") is True
            and _loads(current.get("position_json")) == position
            and all(current_meta.get(k) == v for k, v in metadata.items()))
    if not same:
        client.update("dashboard", dash_id, {
            "dashboard_title": dash["title"], "slug": dash["slug"], "published": True,
            "position_json": json.dumps(position, ensure_ascii=False),
            "json_metadata": json.dumps(current_meta | metadata, ensure_ascii=False)})
        action = "updated" if action == "unchanged" else action
    return report.note("dashboard", dash["slug"], action, dash_id)


def _default_mask(column: str, value: str | None) -> dict:
    if value is None:
        return {"extraFormData": {}, "filterState": {}, "ownState": {}}
    return {"extraFormData": {"filters": [{"col": column, "op": "IN", "val": [value]}]},
            "filterState": {"value": [value], "label": value}, "ownState": {}}


def _position(dash: dict, chart_ids: dict[str, int]) -> dict:
    """The dashboard's grid: its rows of charts and Markdown notes (``notes:``)."""
    charts = {c["key"]: c for c in dash["charts"]}
    notes = {n["key"]: n for n in dash.get("notes", [])}
    position: dict[str, Any] = {
        "DASHBOARD_VERSION_KEY": "v2",
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]},
        "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": dash["title"]}},
    }
    for n, row in enumerate(dash["layout"], start=1):
        row_id = f"ROW-{n}"
        position["GRID_ID"]["children"].append(row_id)
        position[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                            "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        for key in row:
            if key in notes:
                note_id = f"MARKDOWN-{key}"
                position[row_id]["children"].append(note_id)
                position[note_id] = {"type": "MARKDOWN", "id": note_id, "children": [],
                                     "parents": ["ROOT_ID", "GRID_ID", row_id],
                                     "meta": {"code": notes[key]["text"].strip(), "width": notes[key].get("width", 6),
                                              "height": notes[key].get("height", 30)}}
                continue
            chart = charts[key]
            chart_id = f"CHART-{key}"
            position[row_id]["children"].append(chart_id)
            position[chart_id] = {"type": "CHART", "id": chart_id, "children": [],
                                  "parents": ["ROOT_ID", "GRID_ID", row_id],
                                  "meta": {"chartId": chart_ids[key], "width": chart.get("width", 6),
                                           "height": chart.get("height", 50), "sliceName": chart["name"]}}
    return position


def _metadata(dash: dict, chart_ids: dict[str, int], ds_ids: dict[str, int],
              defaults: dict[tuple[str, str], str]) -> dict:
    filters = []
    for flt in dash.get("filters", []):
        default = defaults.get((dash["slug"], flt["key"]))
        excluded = sorted(chart_ids[k] for k in flt.get("exclude", []))
        control = {"enableEmptyFilter": False, "defaultToFirstItem": False,
                   "multiSelect": bool(flt.get("multi")), "searchAllOptions": False, "inverseSelection": False,
                   "sortAscending": flt.get("sort_ascending", True)}
        if flt.get("sort_metric"):
            control["sortMetric"] = flt["sort_metric"]
        config = {"id": f"NATIVE_FILTER-civstat-{dash['slug']}-{flt['key']}", "name": flt["name"],
                  "filterType": "filter_select", "type": "NATIVE_FILTER", "description": flt.get("description", ""),
                  "targets": [{"datasetId": ds_ids[flt["dataset"]], "column": {"name": flt["column"]}}],
                  "controlValues": control, "cascadeParentIds": [],
                  "defaultDataMask": _default_mask(flt["column"], default),
                  "scope": {"rootPath": ["ROOT_ID"], "excluded": excluded},
                  "chartsInScope": sorted(i for k, i in chart_ids.items() if i not in excluded),
                  "tabsInScope": []}
        if flt.get("only"):
            config["adhoc_filters"] = [_sql_filter(flt["only"])]
            config["time_range"] = "No filter"
        filters.append(config)
    return {"native_filter_configuration": filters, "cross_filters_enabled": False, "refresh_frequency": 0,
            "timed_refresh_immune_slices": [], "expanded_slices": {}, "color_scheme": "supersetColors"}

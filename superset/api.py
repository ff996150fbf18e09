"""superset-api-client 0.6 against Superset 6.1: the one place for its gaps.

superset-api-client (2022) logs in, finds objects by name and creates
databases, datasets, charts and dashboards. Against Superset 6.1 it needs
help, each seen on this machine (shared/notes/superset.md):

1. plain http on 127.0.0.1: oauthlib refuses it without OAUTHLIB_INSECURE_TRANSPORT;
2. ``GET /api/v1/database/_info`` answers 500, so ``databases.add()`` fails
   unless ``Databases`` is given its add/edit column lists (``_Databases``);
3. JSON fields (``extra``, ``params``, ``json_metadata``, ``position_json``)
   must be given as strings;
4. ``Chart.save()`` sends only ``slice_name`` (changed ``params`` are lost, and
   without a ``query_context`` the chart-data endpoint answers 400): charts,
   datasets (columns, metrics, SQL) and dashboards (filters, layout) are
   updated with ``PUT /api/v1/<resource>/<id>`` (``update``);
5. ``client.run()`` posts to a route that is 404 on 6.1: ``sql`` uses
   ``POST /api/v1/sqllab/execute/``;
6. ``GET /api/v1/database/<id>`` leaves out ``sqlalchemy_uri``: ``database_connection``
   reads ``/connection``;
7. no chart-data, dataset-refresh or count helpers: ``chart_data``, ``refresh_dataset``, ``count``.

tests/test_superset.py exercises each of these against a running Superset.
"""

from __future__ import annotations

import json
import os
from typing import Any

from supersetapiclient.base import raise_for_status
from supersetapiclient.client import SupersetClient
from supersetapiclient.databases import Databases

# Workaround 2: what GET /api/v1/database/_info would have said (Superset 6.1's DatabasePostSchema).
_DATABASE_COLUMNS = ["database_name", "sqlalchemy_uri", "expose_in_sqllab", "allow_ctas", "allow_cvas",
                     "allow_dml", "allow_run_async", "allow_file_upload", "cache_timeout", "extra",
                     "impersonate_user", "force_ctas_schema"]


class _Databases(Databases):
    add_columns = _DATABASE_COLUMNS
    edit_columns = _DATABASE_COLUMNS


class Superset(SupersetClient):
    """superset-api-client's client, with what Superset 6.1 needs added."""

    databases_cls = _Databases

    def __init__(self, url: str, username: str, password: str):
        if url.startswith("http://127.0.0.1") or url.startswith("http://localhost"):
            os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")  # workaround 1: local only
        super().__init__(host=url, username=username, password=password)

    # ------------------------------------------------------------ REST calls
    def api(self, method: str, path: str, **kwargs: Any) -> dict:
        """Call ``/api/v1/<path>`` and return the JSON answer; raise with Superset's message."""
        response = self.session.request(method, self.join_urls(self.base_url, path), **kwargs)
        raise_for_status(response)
        return response.json() if response.content else {}

    def find(self, resource: str, **equals: Any) -> list[dict]:
        """Objects of a resource whose columns equal the given values (one page of 100)."""
        query = {"page_size": 100, "page": 0,
                 "filters": [{"col": k, "opr": "eq", "value": v} for k, v in equals.items()]}
        return self.api("GET", f"{resource}/", params={"q": json.dumps(query)})["result"]

    def list_all(self, resource: str, columns: list[str], order_column: str) -> list[dict]:
        """Every object of a resource with the given columns, page by page (one
        call per 100 objects instead of one per object); ``order_column``, one
        the resource can be ordered by, should be unique, so pages neither
        overlap nor skip."""
        found: list[dict] = []
        while True:
            query = {"page_size": 100, "page": len(found) // 100, "columns": columns,
                     "order_column": order_column, "order_direction": "asc"}
            page = self.api("GET", f"{resource}/", params={"q": json.dumps(query)})["result"]
            found += page
            if len(page) < 100:
                return found

    def count(self, resource: str) -> int:
        return self.api("GET", f"{resource}/", params={"q": json.dumps({"page_size": 1})})["count"]

    def fetch(self, resource: str, obj_id: int) -> dict:
        return self.api("GET", f"{resource}/{obj_id}")["result"]

    def update(self, resource: str, obj_id: int, payload: dict, **params: Any) -> dict:
        """Workaround 4: PUT every field (JSON fields as strings, workaround 3)."""
        return self.api("PUT", f"{resource}/{obj_id}", json=payload, params=params or None)

    def database_connection(self, database_id: int) -> dict:
        """A database with its ``sqlalchemy_uri`` (the plain GET leaves it out on 6.1)."""
        return self.api("GET", f"database/{database_id}/connection")["result"]

    def refresh_dataset(self, dataset_id: int) -> None:
        """Re-read a dataset's columns from the database (after its SQL changed)."""
        self.api("PUT", f"dataset/{dataset_id}/refresh")

    def chart_data(self, chart_id: int) -> list[dict]:
        """The saved query of a chart, run now (``?force=true``): the rows of each of its queries."""
        return [result["data"] for result in self.chart_results(chart_id, force=True)]

    def chart_results(self, chart_id: int, *, force: bool) -> list[dict]:
        """Each query's result of a chart as a dashboard gets it: rows (``data``),
        whether they came from the cache (``is_cached``); ``force`` skips the cache."""
        answer = self.api("GET", f"chart/{chart_id}/data/", params={"force": str(force).lower()})
        return answer["result"]

    def sql(self, database_id: int, sql: str) -> list[dict]:
        """Workaround 5: SQL Lab's route on 6.1."""
        answer = self.api("POST", "sqllab/execute/", json={"database_id": database_id, "sql": sql,
                                                             "runAsync": False})
        return answer["data"]


def connect(url: str, username: str, password: str) -> Superset:
    """A logged-in client (the login happens on the first call)."""
    client = Superset(url, username, password)
    client.session  # noqa: B018 - log in now, so a wrong password fails here
    return client

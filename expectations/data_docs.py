"""GX Data Docs (数据质量报告网页) for the validation results of one run.

Each suite is validated in its own ephemeral GX context, maybe in another
process, so no context holds all results at the end. This module rebuilds them
in one more ephemeral context whose only Data Docs site is a folder, and lets
GX's own ``SiteBuilder`` render the pages: an index of every validation, one
page per validation, and one page per expectation suite (the index links to it).

GX pieces used: ``DataContextConfig`` + ``InMemoryStoreBackendDefaults`` (no
temporary default site), the validation-results store with
``ValidationResultIdentifier`` keys (the key ``ValidationDefinition.run``
would have used), ``context.suites.add`` and ``context.build_data_docs``.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
from pathlib import Path

import great_expectations as gx
from great_expectations.core.expectation_validation_result import (
    ExpectationSuiteValidationResult,
    expectationSuiteValidationResultSchema,
)
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import DataContextConfig, InMemoryStoreBackendDefaults
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

log = logging.getLogger(__name__)

SITE_NAME = "civstat"
# Failing rows shown per list on a page; the counts stay whole, the full list
# stays in the results history and in SQL.
ROWS_SHOWN = 20
_ROW_LISTS = ("unexpected_list", "unexpected_index_list")


def build_data_docs(validations: list[dict], site_dir: Path) -> Path:
    """Render GX Data Docs (HTML) for these validation results into site_dir; return the index.html path.

    The site is built beside ``site_dir`` and swapped in whole, so a reader
    sees the previous site or the new one, never half of one.
    """
    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    building = site_dir.with_name(f"{site_dir.name}.tmp-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    try:
        _render(validations, building)
        _swap_in(building, site_dir)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    log.info("Data Docs for %d validations in %s", len(validations), site_dir)
    return site_dir / "index.html"


def _render(validations: list[dict], site_dir: Path) -> None:
    """Put every result (and its suite) into a fresh context and let GX write the site."""
    context = gx.get_context(mode="ephemeral", project_config=_site_config(site_dir))
    for validation in validations:
        result = expectationSuiteValidationResultSchema.load(truncated(validation))
        if result.suite_name not in {suite.name for suite in context.suites.all()}:
            context.suites.add(_suite_of(result))
        context.validation_results_store.set(_result_key(result), result)
    context.build_data_docs(site_names=[SITE_NAME])


def _site_config(site_dir: Path) -> DataContextConfig:
    """In-memory stores and one filesystem site; without ``init_temp_docs_sites``
    GX would also write a second site into a temporary folder. No analytics,
    no "how to" buttons pointing at GX's tutorials."""
    return DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        data_docs_sites={SITE_NAME: {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            # Profiling is not used; validations and expectations keep GX's defaults.
            "site_section_builders": {"profiling": "None"},
        }},
    )


def truncated(validation: dict, keep: int = ROWS_SHOWN) -> dict:
    """A copy of a ``gx_validation`` dict with every list of failing rows cut to ``keep``.

    A rule can fail on thousands of rows (假名键、证书编号): the page only needs
    an example, and a smaller page is both quicker to open and shows less
    personal data. The counts (``unexpected_count``, ``observed_value``) are
    left whole. The caller's dict is not changed.
    """
    results = []
    for expectation_result in validation.get("results") or []:
        body = dict(expectation_result.get("result") or {})
        for name, value in body.items():
            if isinstance(value, list) and (name in _ROW_LISTS or name.startswith("partial_unexpected")):
                body[name] = value[:keep]
        details = body.get("details")
        if isinstance(details, dict) and isinstance(details.get("unexpected_rows"), list):
            body["details"] = {**details, "unexpected_rows": details["unexpected_rows"][:keep]}
        results.append({**expectation_result, "result": body})
    # Deep-copied only now, once small: GX's renderers write into what they render.
    return copy.deepcopy({**validation, "results": results})


def _suite_of(result: ExpectationSuiteValidationResult) -> gx.ExpectationSuite:
    """The suite, rebuilt from the expectations in its result: the index links every
    validation to its suite's page, and the run's own suite lived in another context.
    (The first result of a suite name wins if a list holds two.)"""
    return gx.ExpectationSuite(
        name=result.suite_name,
        expectations=[copy.deepcopy(r.expectation_config) for r in result.results if r.expectation_config],
    )


def _result_key(result: ExpectationSuiteValidationResult) -> ValidationResultIdentifier:
    """The key ``ValidationDefinition.run`` stores a result under: suite, run, batch.
    It names the page: ``validations/<suite>/<run name>/<run time>/<batch>.html``."""
    run = result.meta.get("run_id") or {}
    if isinstance(run, dict):
        run = RunIdentifier(run_name=run.get("run_name"), run_time=run.get("run_time"))
    batch_ids = [r.expectation_config.kwargs.get("batch_id") for r in result.results if r.expectation_config]
    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
        run_id=run,
        batch_identifier=next((b for b in batch_ids if b), None) or result.asset_name or result.suite_name,
    )


def _swap_in(built: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by ``built``: a directory cannot be renamed onto a
    non-empty one, so the old site is moved aside first, then deleted."""
    old = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}")
    shutil.rmtree(old, ignore_errors=True)
    if site_dir.exists():
        os.replace(site_dir, old)
    os.replace(built, site_dir)
    shutil.rmtree(old, ignore_errors=True)

"""What a build redoes (orchestration/build_plan.py), on the real asset graph:
everything when there is no good build to start from or when what builds the
warehouse changed; otherwise what reads the changed sources, and publication."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.build_plan import LEDGER_ASSETS, BuildState, fingerprint, plan_build
from orchestration.dbt.assets import ALL_MONTHS
from orchestration.dbt.project import dbt_project

ROLL = ("assistance", "2024-03", "", "a1")
CREMATIONS = ("cremation", "2024-03", "37083201", "c1")
REGISTER = ("volunteers", "2024-12-31", "", "v1")


@pytest.fixture(scope="module")
def graph():
    from civstat.settings import Settings
    from orchestration.definitions import build_definitions

    defs = build_definitions(Settings.load({"home": "/nonexistent-home"}))
    job = defs.resolve_job_def("build_and_publish")
    return defs.resolve_asset_graph(), set(job.asset_layer.selected_asset_keys)


def state(*versions, ledger="l1", fingerprint="f1", exceptions=()) -> BuildState:
    return BuildState(frozenset(versions), ledger, fingerprint, tuple(exceptions))


def names(plan) -> set[str]:
    return {key.to_user_string() for key in plan.assets}


def test_without_a_good_build_or_with_a_changed_project_everything_is_built(graph):
    assert plan_build(None, state(ROLL), *graph).full
    changed = plan_build(state(ROLL), state(ROLL, fingerprint="f2"), *graph)
    assert changed.full and changed.window == ALL_MONTHS


def test_nothing_changed_only_publishes(graph):
    plan = plan_build(state(ROLL, CREMATIONS), state(ROLL, CREMATIONS), *graph)
    assert names(plan) == {"serving_marts"}
    assert plan.window[0] == plan.window[1]          # no month of the incremental facts


def test_a_corrected_month_rebuilds_what_reads_its_source_in_that_month(graph):
    corrected = ("assistance", "2024-03", "", "a2")
    plan = plan_build(state(ROLL, CREMATIONS, REGISTER), state(corrected, CREMATIONS, REGISTER), *graph)
    assert plan.window == ("2024-03", "2024-04")
    assert {"staging/stg_assistance__roll_rows", "marts/fct_monthly_assistance_households",
            "marts/mart_assistance_monthly_by_township", "marts/mart_target_attainment", "serving_marts"} <= names(plan)
    assert not {"marts/fct_cremations", "marts/fct_volunteer_snapshots", "raw/assistance"} & names(plan)
    graph_, build_keys = graph
    assert names(plan) < {k.to_user_string() for k in build_keys}


def test_a_changed_register_rebuilds_every_month_of_what_reads_it(graph):
    plan = plan_build(state(ROLL, REGISTER), state(ROLL, ("volunteers", "2024-12-31", "", "v2")), *graph)
    assert plan.window == ALL_MONTHS
    assert "marts/fct_volunteer_snapshots" in names(plan) and "marts/fct_cremations" not in names(plan)


def test_a_rejected_file_rebuilds_the_file_accounting(graph):
    """A rejected delivery changes no loaded version, only the ledger: the
    accounting (rule I01, which withholds the month) must see it."""
    plan = plan_build(state(ROLL), state(ROLL, ledger="l2"), *graph)
    downstream = dg.AssetSelection.assets(*LEDGER_ASSETS).downstream().resolve(graph[0])
    assert "intermediate/int_ingestion__file_accounting" in names(plan)
    assert names(plan) == {k.to_user_string() for k in downstream & graph[1]} | {"serving_marts"}


def test_the_fingerprint_is_stable_and_an_explained_exception_is_not_part_of_it(settings):
    from expectations.exceptions import ExceptionRegister, ExplainedException
    from orchestration.build_plan import explained_by_suite

    first = fingerprint(settings, dbt_project.manifest_path)
    assert fingerprint(settings, dbt_project.manifest_path) == first
    assert explained_by_suite(settings) == ()
    ExceptionRegister(settings.home).record(ExplainedException(
        "marriage_registration_rules", "M05", "C1", "法院判决离婚", "数据组"))
    assert fingerprint(settings, dbt_project.manifest_path) == first
    [(suite, _)] = explained_by_suite(settings)
    assert suite == "marriage_registration_rules"


def test_an_explained_exception_rebuilds_what_reads_the_exceptions_and_reruns_its_suite_only(graph):
    """Not a full build: the marriage rule checks and what reads them, and the
    suite's own asset (its check runs again); no month of an incremental fact."""
    before = state(ROLL, CREMATIONS)
    marriage = plan_build(before, state(ROLL, CREMATIONS, exceptions=[("marriage_registration_rules", "e1")]),
                          *graph)
    assert not marriage.full and marriage.window[0] == marriage.window[1]
    assert {"intermediate/int_marriage__rule_checks", "marts/mart_marriage_correction_list",
            "serving_marts"} <= names(marriage)
    assert not {"marts/fct_cremations", "marts/fct_monthly_assistance_households"} & names(marriage)
    assert "marriage_registration_rules" in marriage.reason

    roll = plan_build(before, state(ROLL, CREMATIONS, exceptions=[("fct_monthly_assistance_households_validity",
                                                                   "e1")]), *graph)
    assert "marts/fct_monthly_assistance_households" in names(roll)
    assert "marts/mart_assistance_monthly_by_township" not in names(roll)   # not downstream of the exceptions
    # the same exceptions again: nothing to recheck
    again = state(ROLL, CREMATIONS, exceptions=[("marriage_registration_rules", "e1")])
    assert names(plan_build(again, again, *graph)) == {"serving_marts"}


def test_the_state_survives_its_file():
    before = state(ROLL, CREMATIONS, exceptions=[("marriage_registration_rules", "e1")])
    assert BuildState.from_json(before.to_json()) == before

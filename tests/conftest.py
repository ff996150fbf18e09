"""Shared fixtures: generated extracts (tiny scale) and isolated state directories.

Every test that writes runs under its own CIVSTAT_HOME in a temporary folder;
nothing touches the repository's var/.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import random
from contextlib import contextmanager
from pathlib import Path

import pytest

from civstat.settings import Settings
from synthetic import regions
from synthetic.generate import GenerateRequest, generate
from synthetic.world import GenerationContext

TINY = dict(scale="tiny", seed=7, start="2024-01", end="2024-06")
# Two years, with a town merged (2023-09) and a street split (2024-05) inside:
# what the warehouse tests measure targets on.
TWO_YEARS = dict(scale="tiny", seed=3, start="2023-01", end="2024-12")


@contextmanager
def isolated_environ():
    """Settings export themselves to os.environ for dbt and Dagster; undo that."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("CIVSTAT_") or name == "DAGSTER_HOME":
            del os.environ[name]
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def tiny_world(out: Path, first: dt.date, last: dt.date, defect_rate: float = 0.02):
    """A tiny Liangshan (with its merger and split) and a context over [first, last] months,
    for the tests of one source generator at a time."""
    county = regions.build_county(random.Random("t"), "370832", "梁山县", regions.SHAPES["tiny"], first, last)
    ctx = GenerationContext(out=out, seed=1, scale="tiny", first_month=first, last_month=last,
                            defect_rate=defect_rate)
    return county, ctx


def assert_identical_trees(a: Path, b: Path) -> None:
    """Two generated folders hold the same files, byte for byte (and some files)."""
    files = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    assert files
    assert sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()) == files
    assert filecmp.cmpfiles(a, b, files, shallow=False)[1:] == ([], [])


@pytest.fixture(scope="session")
def tiny_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(GenerateRequest(out=out, **TINY))
    return out


@pytest.fixture(scope="session")
def tiny_truth(tiny_landing) -> dict:
    return json.loads((tiny_landing / "_truth" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Settings for a fresh state directory, with a fixed pseudonym key."""
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(tmp_path / "home")
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        yield Settings.load()


@pytest.fixture(scope="session")
def published(tmp_path_factory, tiny_landing):
    """One full `civstat run` over the tiny extracts: (settings, summary)."""
    from orchestration.run import run_pipeline

    home = tmp_path_factory.mktemp("published-home")
    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        settings = Settings.load({"home": home, "landing_dir": tiny_landing})
        summary = run_pipeline(settings)
    return settings, summary


@pytest.fixture(scope="session")
def two_year_landing(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("landing-two-years")
    generate(GenerateRequest(out=out, **TWO_YEARS))
    return out


@pytest.fixture(scope="session")
def two_year_published(tmp_path_factory, two_year_landing):
    """One full `civstat run` over two generated years: (settings, summary)."""
    from orchestration.run import run_pipeline

    home = tmp_path_factory.mktemp("two-years-home")
    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        settings = Settings.load({"home": home, "landing_dir": two_year_landing})
        summary = run_pipeline(settings)
    return settings, summary

import os
import stat

import pytest

from civstat.settings import REPO_ROOT, Settings, SettingsError


def test_defaults_live_under_var_of_the_repository():
    s = Settings.load(environ={})
    assert s.home == REPO_ROOT / "var"
    assert s.warehouse_path == REPO_ROOT / "var" / "warehouse" / "warehouse.duckdb"
    assert s.dagster_home == REPO_ROOT / "var" / "dagster"
    assert s.landing_dir.is_absolute() and s.serving_path.is_absolute()


def test_civstat_home_moves_the_whole_state_directory(tmp_path):
    s = Settings.load(environ={"CIVSTAT_HOME": str(tmp_path)})
    for path in (s.landing_dir, s.raw_dir, s.warehouse_path, s.serving_dir, s.dagster_home):
        assert tmp_path in path.parents


def test_environment_beats_file_and_overrides_beat_environment(tmp_path):
    (tmp_path / "civstat.toml").write_text('duckdb_threads = 3\ncounty_code = "370811"\n', encoding="utf-8")
    env = {"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_DUCKDB_THREADS": "5"}
    s = Settings.load(environ=env)
    assert (s.duckdb_threads, s.county_code) == (5, "370811")
    s = Settings.load({"landing_dir": tmp_path / "elsewhere"}, environ=env)
    assert s.landing_dir == tmp_path / "elsewhere"


def test_a_malformed_setting_is_named(tmp_path):
    with pytest.raises(SettingsError, match="county_code"):
        Settings.load(environ={"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_COUNTY_CODE": "3708"})
    (tmp_path / "civstat.toml").write_text('colour = "red"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="colour"):
        Settings.load(environ={"CIVSTAT_HOME": str(tmp_path)})


def test_the_pseudonym_key_is_refused_in_the_config_file(tmp_path):
    (tmp_path / "civstat.toml").write_text('pseudonym_key = "x"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match="CIVSTAT_PSEUDONYM_KEY"):
        Settings.load(environ={"CIVSTAT_HOME": str(tmp_path)})


def test_without_a_key_civstat_refuses_to_pseudonymise_outside_demo_mode(tmp_path):
    with pytest.raises(SettingsError, match="CIVSTAT_PSEUDONYM_KEY"):
        Settings.load(environ={"CIVSTAT_HOME": str(tmp_path)}).pseudonym_key()
    assert not (tmp_path / "secrets").exists()


def test_in_demo_mode_a_key_is_created_once_and_kept_private(tmp_path):
    demo = {"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_DEMO": "1"}
    s = Settings.load(environ=demo)
    first = s.pseudonym_key()
    assert first == Settings.load(environ=demo).pseudonym_key()
    mode = stat.S_IMODE(os.stat(tmp_path / "secrets" / "pseudonym.key").st_mode)
    assert mode == 0o600


def test_the_demo_key_is_refused_outside_demo_mode(tmp_path):
    """A home keyed with the demo key stays a demo: production keys never mix with it."""
    Settings.load(environ={"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_DEMO": "1"}).pseudonym_key()
    for production in ({"CIVSTAT_HOME": str(tmp_path)},
                       {"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_PSEUDONYM_KEY": "k"}):
        with pytest.raises(SettingsError, match="demo pseudonymisation key"):
            Settings.load(environ=production).pseudonym_key()
    assert Settings.load(environ={"CIVSTAT_HOME": str(tmp_path / "new"), "CIVSTAT_PSEUDONYM_KEY": "k"}
                         ).pseudonym_key() == b"k"


def test_the_key_is_not_in_the_settings_repr(tmp_path):
    s = Settings.load(environ={"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_PSEUDONYM_KEY": "very-secret"})
    assert "very-secret" not in repr(s)


def test_the_largest_delivery_read_comes_from_the_environment(tmp_path):
    assert Settings.load(environ={"CIVSTAT_HOME": str(tmp_path)}).max_file_mb == 512
    assert Settings.load(environ={"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_MAX_FILE_MB": "64"}).max_file_mb == 64
    with pytest.raises(SettingsError, match="max_file_mb must be a whole number"):
        Settings.load(environ={"CIVSTAT_HOME": str(tmp_path), "CIVSTAT_MAX_FILE_MB": "lots"})


def test_disclosure_control_is_on_unless_switched_off(tmp_path):
    home = {"CIVSTAT_HOME": str(tmp_path)}
    assert Settings.load(environ=home).disclosure_control is True
    assert Settings.load(environ=home | {"CIVSTAT_DISCLOSURE_CONTROL": "0"}).disclosure_control is False
    assert Settings.load(environ=home | {"CIVSTAT_DISCLOSURE_CONTROL": "1"}).disclosure_control is True
    with pytest.raises(SettingsError, match="disclosure_control must be 1 or 0"):
        Settings.load(environ=home | {"CIVSTAT_DISCLOSURE_CONTROL": "maybe"})


def test_the_engine_and_the_spark_connection_come_from_the_settings(tmp_path):
    settings = Settings.load({"home": tmp_path}, environ={
        "CIVSTAT_ENGINE": "Spark", "CIVSTAT_SPARK_METHOD": "thrift", "CIVSTAT_SPARK_HOST": "spark.example",
        "CIVSTAT_SPARK_PORT": "10001", "CIVSTAT_SPARK_USE_SSL": "1"})
    assert (settings.engine, settings.spark_method, settings.spark_port, settings.spark_use_ssl) == \
        ("spark", "thrift", 10001, True)
    assert settings.spark_dir == tmp_path.resolve() / "spark"
    env = settings.child_env()       # what dbt's profile reads
    assert (env["CIVSTAT_ENGINE"], env["CIVSTAT_SPARK_HOST"], env["CIVSTAT_SPARK_USE_SSL"]) == \
        ("spark", "spark.example", "1")
    assert Settings.load({"home": tmp_path}, environ={}).engine == "duckdb"
    with pytest.raises(SettingsError, match="engine must be one of duckdb, spark"):
        Settings.load({"home": tmp_path}, environ={"CIVSTAT_ENGINE": "flink"})

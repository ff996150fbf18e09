"""An explained exception releases exactly the records it names, for the rule it names."""

from expectations.exceptions import ExceptionRegister, ExplainedException, release_explained
from expectations.runner import run_suite

from conftest import ROLL_RULES


def test_an_explained_record_stops_failing_and_only_that_one(roll_warehouse, tmp_path):
    result = run_suite(ROLL_RULES, roll_warehouse)
    a07 = next(r for r in result.rules if r.rule_id == "A07")
    absurd = next(k for k in a07.failing_keys if k["household_id"] == "H000042")
    register = ExceptionRegister(tmp_path)
    register.record(ExplainedException("roll_rules", "A07", ROLL_RULES.record_key(absurd),
                                       "一次性补发三年欠款，民政局已批准", "数据组"))
    register.record(ExplainedException("roll_rules", "A04", ROLL_RULES.record_key(absurd), "无关", "数据组"))

    released = release_explained(ROLL_RULES, result, register.explained("roll_rules"))
    a07 = next(r for r in released.rules if r.rule_id == "A07")
    assert [k["household_id"] for k in a07.failing_keys] == ["H000007"]
    assert a07.explained_count == 1 and not a07.success      # H000007 is still unexplained

    # Explaining the last one releases the rule; a withdrawal takes it back.
    other = next(k for k in next(r for r in result.rules if r.rule_id == "A07").failing_keys if k["household_id"] == "H000007")
    register.record(ExplainedException("roll_rules", "A07", ROLL_RULES.record_key(other), "核实无误", "数据组"))
    a07 = next(r for r in release_explained(ROLL_RULES, result, register.explained("roll_rules")).rules
               if r.rule_id == "A07")
    assert a07.success and a07.failing_keys == [] and a07.explained_count == 2
    register.record(ExplainedException("roll_rules", "A07", ROLL_RULES.record_key(other), "撤回", "数据组",
                                       is_withdrawn=True))
    a07 = next(r for r in release_explained(ROLL_RULES, result, register.explained("roll_rules")).rules
               if r.rule_id == "A07")
    assert not a07.success and a07.explained_count == 1


def test_the_commands_that_read_the_register_do_not_import_great_expectations():
    """`civstat dbt`, `civstat report` and `civstat exception list` read the
    register and validate nothing: importing GX would cost them 6-8 CPU
    seconds each."""
    import subprocess
    import sys

    script = ("import sys; import expectations.exceptions, warehouse.jzh01, warehouse.submissions; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('great_expectations', 'dagster')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

"""`civstat shell` on the real serving file: scripts fed through stdin, output read back."""

import io

import pytest

from warehouse.publish import publish
from warehouse.query import run_query
from warehouse.shell import MAX_ROWS, ends_statement, run_shell

MART = "mart_assistance_monthly_by_township"


def _shell(serving_path, script) -> tuple[int, str]:
    """Run the shell over a script (text or a stream); its exit code and output."""
    stdin = io.StringIO(script) if isinstance(script, str) else script
    stdout = io.StringIO()
    code = run_shell(serving_path, stdin=stdin, stdout=stdout)
    return code, stdout.getvalue()


def _tables(output: str) -> list[list[list[str]]]:
    """The body rows of every table the shell printed, as cell texts."""
    tables = []
    for line in output.splitlines():
        if line.startswith("┏"):
            tables.append([])
        elif line.startswith("│"):
            tables[-1].append([cell.strip() for cell in line.strip("│").split("│")])
    return tables


def _as_text(rows) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def test_a_statement_over_several_lines_prints_the_rows_run_query_returns(published):
    settings, _ = published
    sql = (f"select period_month, township_code, assistance_type, households, amount_paid_yuan\n"
           f"from {MART}\n"
           f"where period_month = '2024-03'\n"
           f"order by all;")
    code, out = _shell(settings.serving_path, sql + "\n.quit\n")
    expected = run_query(settings.serving_path, sql.rstrip(";")).rows
    assert code == 0 and len(expected) > 1
    assert "   ...> " in out                      # the continuation prompt while the statement was open
    assert _tables(out) == [_as_text(expected)]
    assert f"{len(expected)} rows" in out.splitlines()


@pytest.mark.parametrize("statement", [
    "insert into meta.publication_log select * from meta.publication_log;",
    "attach '{tmp}/other.duckdb' as other;",
    "copy (select * from " + MART + ") to '{tmp}/leak.csv';",
])
def test_statements_that_write_or_reach_out_are_refused_and_the_shell_goes_on(published, tmp_path, statement):
    settings, _ = published
    before = run_query(settings.serving_path, "select count(*) from meta.publication_log").rows
    code, out = _shell(settings.serving_path,
                       statement.format(tmp=tmp_path) + "\nselect 'still here' as status;\n")
    assert code == 0
    (refused,) = [line for line in out.splitlines() if line.startswith("refused:")]
    assert "read-only" in refused
    assert _tables(out) == [[["still here"]]]
    assert list(tmp_path.iterdir()) == []
    assert run_query(settings.serving_path, "select count(*) from meta.publication_log").rows == before


def test_dot_tables_lists_the_marts_and_the_meta_tables(published):
    settings, _ = published
    code, out = _shell(settings.serving_path, ".tables\n")
    listed = {(schema, table) for schema, table, _ in _tables(out)[0]}
    assert code == 0
    assert ("marts", MART) in listed
    assert {("meta", name) for name in ("publication_log", "withheld_figures", "explained_exceptions",
                                        "quality_history")} <= listed


def test_dot_schema_lists_a_marts_columns_and_types(published):
    settings, _ = published
    code, out = _shell(settings.serving_path, f".schema {MART}\n.schema no_such_table\n")
    columns = run_query(settings.serving_path, f"select * from {MART} limit 0").columns
    (rows,) = _tables(out)
    assert code == 0
    assert [column for _, column, _ in rows] == columns
    assert {table for table, _, _ in rows} == {f"marts.{MART}"}
    assert ["amount_paid_yuan", "DECIMAL(18,2)"] in [row[1:] for row in rows]
    assert "no table no_such_table: .tables lists them" in out.splitlines()


@pytest.mark.parametrize("script", [".quit\nselect 'after quit';\n", ".exit\n", "", "select 1\n"])
def test_quit_or_end_of_input_leaves_with_0_and_runs_nothing_after(published, script):
    settings, _ = published
    code, out = _shell(settings.serving_path, script)
    assert code == 0
    assert _tables(out) == []


def test_a_long_result_is_cut_with_a_note(published):
    settings, _ = published
    code, out = _shell(settings.serving_path, "select range as n from range(1000);\n")
    (rows,) = _tables(out)
    assert code == 0
    assert rows == [[str(i)] for i in range(MAX_ROWS)]
    assert f"1000 rows, the first {MAX_ROWS} shown" in out


def test_errors_and_unknown_commands_print_one_line_and_the_shell_goes_on(published):
    settings, _ = published
    code, out = _shell(settings.serving_path, "select * from no_such_table;\n.bogus\nselect 1 as one;\n")
    assert code == 0
    assert any(line.startswith("error: Catalog Error") for line in out.splitlines())
    assert "unknown command .bogus: .help lists the commands" in out
    assert _tables(out) == [[["1"]]]


class _PublishesMidway(io.StringIO):
    """Input that publishes a new version when the shell reads the line ``-- publish``."""

    def __init__(self, text: str, publish_next):
        super().__init__(text)
        self.publish_next = publish_next

    def readline(self, *args):
        line = super().readline(*args)
        if line.strip() == "-- publish":
            self.publish_next()
        return line


def test_each_statement_reads_the_newest_publication_without_a_restart(published, tmp_path):
    """Two real publications of the fixture's warehouse into a serving folder
    of our own; the second lands while the shell is open."""
    settings, _ = published
    serving = tmp_path / "serving"

    def publish_as(run_id: str) -> None:
        publish(settings.warehouse_path, serving, run_id=run_id, data_versions=[], check_results=[])

    publish_as("first-run")
    runs = "select run_id from meta.publication_log order by published_at;\n"
    code, out = _shell(serving / "civstat.duckdb",
                       _PublishesMidway(runs + "-- publish\n" + runs, lambda: publish_as("second-run")))
    assert code == 0
    assert _tables(out) == [[["first-run"]], [["first-run"], ["second-run"]]]


def test_the_shell_without_a_publication_is_a_usage_error(tmp_path):
    code, out = _shell(tmp_path / "civstat.duckdb", "select 1;\n")
    assert code == 2
    assert "does not exist yet" in out


@pytest.mark.parametrize("text, ends", [
    ("select 1;", True),
    ("select 1", False),
    ("select 1;  -- a comment", True),
    ("select ';' as semicolon", False),
    ("select 'it''s;", False),                    # the string is still open
    ("select 1 /* ; */", False),
    ('select 1 as "a;b";', True),
    ("select 1; select 2;\n", True),
])
def test_a_statement_ends_at_a_semicolon_outside_quotes_and_comments(text, ends):
    assert ends_statement(text) is ends

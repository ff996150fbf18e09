"""`civstat shell`: an interactive, read-only SQL prompt over the published marts (交互查询).

Every statement goes through :func:`warehouse.query.run_query`, so the shell
refuses exactly what `civstat sql` refuses, and opens the serving file as it
is *now*: a publication made while the shell is open is seen at the next
statement, and no connection (no lock) is held between statements. The price:
session state (``set``, temporary tables) does not outlive its statement.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import Callable, TextIO

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

from warehouse.query import NotPublished, QueryRefused, QueryResult, run_query

PROMPT = "civstat> "
CONTINUATION = "   ...> "
MAX_ROWS = 100            # a screenful or two; `civstat sql --format csv` gives every row
EXIT_OK, EXIT_USAGE = 0, 2

HELP = """\
End each statement with ; (it may span lines). Read-only: statements that write,
attach or reach other files are refused. Marts are found by name
(mart_assistance_monthly_by_township); the meta tables as meta.<name>.
  .tables         the marts and the meta tables
  .schema NAME    columns and types of a table (NAME or meta.NAME)
  .help           this text
  .quit           leave (also .exit or end of input, Ctrl-D)
Each statement reads the newest publication; `set` and temporary tables do not
carry over to the next statement.
"""

TABLES_SQL = """
select schema_name as "schema", table_name as "table", column_count as "columns"
from duckdb_tables() where database_name = current_database()
order by schema_name = 'meta', schema_name, table_name"""

BANNER_SQL = """
select strftime(published_at, '%Y-%m-%d %H:%M:%S %Z'), run_id
from meta.publication_log order by published_at desc limit 1"""

# String literals, quoted names and comments: a ; inside them ends nothing.
_NOT_CODE = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|--[^\n]*|/\*.*?\*/", re.S)


def run_shell(serving_path: Path, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    """Read and run statements and dot commands until ``.quit`` or end of input.

    0 on leaving, 2 when nothing has been published yet (as `civstat sql`)."""
    try:
        published_at, run_id = run_query(serving_path, BANNER_SQL).rows[0]
    except (NotPublished, duckdb.Error) as exc:
        _say(stdout, str(exc).strip().splitlines()[0])
        return EXIT_USAGE
    _say(stdout, f"civstat shell, read-only, on {serving_path} (published {published_at}, run {run_id[:8]}). "
                 ".help for help")
    read = _line_reader(stdin, stdout)
    buffer: list[str] = []
    while True:
        try:
            line = read(CONTINUATION if buffer else PROMPT)
        except KeyboardInterrupt:          # Ctrl-C drops the statement being typed, as psql does
            stdout.write("\n")
            buffer.clear()
            continue
        if line is None:
            if "".join(buffer).strip():
                _say(stdout, "unfinished statement ignored: a statement ends with ;")
            return EXIT_OK
        if not buffer and line.strip().startswith("."):
            if not _dot_command(serving_path, line.strip(), stdout):
                return EXIT_OK
            continue
        buffer.append(line)
        text = "\n".join(buffer)
        if ends_statement(text):
            buffer.clear()
            for statement in _statements(text):
                _execute(serving_path, statement, stdout)


def ends_statement(text: str) -> bool:
    """True when the text ends with a ``;`` outside quotes and comments."""
    code = _NOT_CODE.sub(" ", text)
    return code.rstrip().endswith(";") and not any(mark in code for mark in ("'", '"', "/*"))


def print_result(result: QueryResult, stdout: TextIO, max_rows: int = MAX_ROWS) -> None:
    """An aligned table (rich, as `civstat sql` prints), then the row count, and a
    note when the rows were cut at ``max_rows``."""
    if not result.columns or (result.columns == ["Success"] and not result.rows):   # e.g. `set`
        _say(stdout, "ok")
        return
    table = Table(show_lines=False)
    for column in result.columns:
        table.add_column(Text(column), overflow="fold")
    for row in result.rows[:max_rows]:
        # Text, not markup: a value such as "[b]" is data, never a style.
        table.add_row(*(Text("" if v is None else str(v)) for v in row))
    _console(stdout).print(table, crop=False)
    count = len(result.rows)
    rows = f"{count} row{'' if count == 1 else 's'}"
    if count > max_rows:
        rows += (f", the first {max_rows} shown (narrow it with where or limit; "
                 "`civstat sql --format csv` writes them all)")
    _say(stdout, rows)


def _line_reader(stdin: TextIO, stdout: TextIO) -> Callable[[str], str | None]:
    """``input()`` with readline's editing and history at a terminal; otherwise
    plain lines, echoed after the prompt so the output reads as a transcript."""
    if stdin is sys.stdin and stdout is sys.stdout and stdin.isatty():
        import readline  # noqa: F401  (importing it gives input() line editing and history)

        def read_terminal(prompt: str) -> str | None:
            try:
                return input(prompt)
            except EOFError:
                stdout.write("\n")
                return None
        return read_terminal

    def read_stream(prompt: str) -> str | None:
        stdout.write(prompt)
        line = stdin.readline()
        stdout.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n") if line else None
    return read_stream


def _statements(text: str) -> list[str]:
    """One or more statements typed together, each run on its own; a text DuckDB
    cannot parse is passed whole, so the user gets DuckDB's own error."""
    try:
        return [s.query for s in duckdb.extract_statements(text)]
    except duckdb.Error:
        return [text]


def _execute(serving_path: Path, sql: str, stdout: TextIO) -> QueryResult | None:
    """Run one statement and print its result or one line saying why not."""
    try:
        result = run_query(serving_path, sql)
    except QueryRefused as exc:
        _say(stdout, f"refused: {exc}")
    except NotPublished as exc:
        _say(stdout, str(exc))
    except duckdb.Error as exc:
        _say(stdout, f"error: {str(exc).strip().splitlines()[0]}")
    except KeyboardInterrupt:
        _say(stdout, "cancelled")
    else:
        print_result(result, stdout)
        return result
    return None


def _dot_command(serving_path: Path, line: str, stdout: TextIO) -> bool:
    """Run a dot command; False when it asks to leave."""
    name, _, argument = line.partition(" ")
    argument = argument.strip().rstrip(";")
    if name in (".quit", ".exit", ".q"):
        return False
    if name == ".help":
        stdout.write(HELP)
    elif name == ".tables":
        _execute(serving_path, TABLES_SQL, stdout)
    elif name == ".schema" and argument:
        _show_schema(serving_path, argument, stdout)
    elif name == ".schema":
        _say(stdout, "usage: .schema NAME (.tables lists the names)")
    else:
        _say(stdout, f"unknown command {name}: .help lists the commands")
    return True


def _show_schema(serving_path: Path, name: str, stdout: TextIO) -> None:
    """Columns and types of one table, named bare (the mart, when public_marts has
    a table of the same name) or as schema.table."""
    schema, _, table = name.rpartition(".")
    where = f"table_name = {_literal(table)}" + (f" and schema_name = {_literal(schema)}" if schema else "")
    sql = (f"select schema_name || '.' || table_name as \"table\", column_name as \"column\", data_type as \"type\" "
           f"from duckdb_columns() where database_name = current_database() and {where} "
           f"order by schema_name, table_name, column_index")
    try:
        result = run_query(serving_path, sql)
    except (NotPublished, duckdb.Error) as exc:
        _say(stdout, str(exc).strip().splitlines()[0])
        return
    if not schema and any(row[0].startswith("marts.") for row in result.rows):
        result = dataclasses.replace(result, rows=[row for row in result.rows if row[0].startswith("marts.")])
    if result.rows:
        print_result(result, stdout, max_rows=len(result.rows))
    else:
        _say(stdout, f"no table {name}: .tables lists them")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _console(stdout: TextIO) -> Console:
    """The terminal's width at a terminal; otherwise whole values and no colour:
    codes and IDs must never be cut."""
    if stdout.isatty():
        return Console(file=stdout, highlight=False)
    return Console(file=stdout, width=100_000, highlight=False, force_terminal=False, color_system=None)


def _say(stdout: TextIO, message: str) -> None:
    stdout.write(message + "\n")

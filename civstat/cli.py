"""The `civstat` command: a thin layer over functions the tests call directly.

Exit codes: 0 published (a failing rule may have withheld some figures: the
summary says which), 1 a blocking check failed (nothing published), 2 a usage error (bad arguments, a refused query, no
published marts yet).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import json
import logging
import os
import re
import sys
import warnings
from decimal import Decimal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from civstat.settings import ENGINES, REPO_ROOT, Settings, SettingsError

EXIT_OK, EXIT_DATA_PROBLEM, EXIT_USAGE = 0, 1, 2

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=getattr(args, "verbose", False))
    # Dagster flags beta and preview APIs on every load; they are chosen on purpose.
    warnings.filterwarnings("ignore", module="dagster")
    warnings.filterwarnings("ignore", category=UserWarning, message=".*beta.*|.*preview.*")
    # GX imports pyspark when it is installed (the Spark engine's extra), and
    # pyspark warns about pandas 3 on import. civstat takes data out of Spark
    # as Arrow (warehouse/spark.py), and tests/test_spark.py runs on pandas 3.
    warnings.filterwarnings("ignore", category=FutureWarning, message="PySpark does not yet fully support pandas")
    try:
        return args.handler(args)
    except SettingsError as exc:
        err.print(f"[red]settings:[/red] {exc}")
        return EXIT_USAGE


def _configure_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    level = logging.INFO if verbose else logging.WARNING
    for name in ("dagster", "dagster.builtin", "dagster_dbt", "great_expectations"):
        logging.getLogger(name).setLevel(level)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="civstat", description="Civil-affairs statistics warehouse.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    gen = sub.add_parser("generate", help="write synthetic departmental extracts and their truth")
    gen.add_argument("--scale", default="tiny", choices=("tiny", "pair", "county", "province"))
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--start", default="2024-01", help="first month, YYYY-MM")
    gen.add_argument("--end", default="2024-12", help="last month, YYYY-MM")
    gen.add_argument("--out", type=Path, help="landing folder (default: the settings' landing folder)")
    gen.add_argument("--defect-rate", type=float, default=0.02,
                     help="share of rows with a malformed value ingestion must quarantine")
    gen.add_argument("--no-rule-breaches", dest="rule_breaches", action="store_false",
                     help="plant no marriage-rule breaches (with --defect-rate 0: a defect-free corpus)")
    gen.set_defaults(handler=cmd_generate)

    prep = sub.add_parser("prepare", help="parse the dbt project once (done by `make setup`)")
    prep.set_defaults(handler=cmd_prepare)

    run = sub.add_parser("run", help="ingest the landing folder, build, check and publish")
    run.add_argument("--landing", type=Path, help="landing folder (default: the settings' one)")
    run.add_argument("--verbose", action="store_true", help="show Dagster's step log")
    run.add_argument("--engine", choices=ENGINES,
                     help="what builds and checks the warehouse (default: the settings' engine, duckdb)")
    run.set_defaults(handler=cmd_run)

    dbt = sub.add_parser("dbt", help="run dbt on the warehouse with civstat's settings (e.g. `civstat dbt build`)",
                         prefix_chars="\0")
    dbt.add_argument("dbt_args", nargs=argparse.REMAINDER)
    dbt.set_defaults(handler=cmd_dbt)

    exc = sub.add_parser("exception", help="record an explained exception to a validity rule (audit trail)")
    exc_sub = exc.add_subparsers(required=True, metavar="ACTION")
    add = exc_sub.add_parser("add", help="explain why a record that breaks a rule is right")
    add.add_argument("--suite", default="marriage_registration_rules")
    add.add_argument("--rule", required=True, help="e.g. M05")
    add.add_argument("--record", required=True, action="append",
                     help="the record: a certificate number or registration_id (repeatable)")
    add.add_argument("--reason", required=True, help="why, in the office's words (e.g. 法院判决离婚)")
    add.add_argument("--by", required=True, help="who records it")
    add.add_argument("--withdraw", action="store_true", help="take an earlier exception back")
    add.set_defaults(handler=cmd_exception_add)
    listing = exc_sub.add_parser("list", help="every statement recorded, oldest first")
    listing.set_defaults(handler=cmd_exception_list)

    shell = sub.add_parser("shell", help="an interactive read-only SQL prompt over the published marts")
    shell.set_defaults(handler=cmd_shell)

    sup = sub.add_parser("superset", help="Superset: set up its virtualenv, start, stop, provision the dashboards")
    sup.add_argument("action", choices=("setup", "up", "down", "provision", "screenshots"))
    sup.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "dashboards",
                     help="screenshots: folder for <slug>.png (default docs/dashboards, the README's pictures)")
    sup.set_defaults(handler=cmd_superset)

    report = sub.add_parser("report", help="a statistical form from the published marts (JZH01)")
    report_sub = report.add_subparsers(required=True, metavar="FORM")
    jzh01 = report_sub.add_parser("jzh01", help="民政统计季报表: audited, stored by revision, reproducible")
    jzh01.add_argument("--region", required=True, help="12-digit code of the county or a township")
    jzh01.add_argument("--period", required=True, help="report month, YYYY-MM (December: the year-end submission)")
    jzh01.add_argument("--out", type=Path, required=True, help="file to write (.xlsx or .csv)")
    jzh01.add_argument("--format", choices=("xlsx", "csv"), help="default: from --out's suffix")
    jzh01.add_argument("--revision", type=int, help="write a stored revision again, byte for byte")
    jzh01.set_defaults(handler=cmd_report_jzh01)

    targets = sub.add_parser("targets", help="the plan attainment (十四五规划目标完成情况) of one region and year")
    targets.add_argument("--region", required=True,
                         help="12-digit region code: the county <county6>000000 or a township")
    targets.add_argument("--year", required=True, help="YYYY")
    targets.add_argument("--out", type=Path, help="also write the report to this XLSX file")
    targets.set_defaults(handler=cmd_targets)

    watch = sub.add_parser("watchlist", help="a month's low-income monitoring list (低收入人口动态监测名单)")
    watch.add_argument("--region", required=True, help="12-digit code of the county or a township")
    watch.add_argument("--month", required=True, help="YYYY-MM")
    watch.add_argument("--out", type=Path, help="also write it to this XLSX file, one sheet per township")
    watch.set_defaults(handler=cmd_watchlist)

    corr = sub.add_parser("corrections", help="one XLSX correction list per marriage office, from the published marts")
    corr.add_argument("--out", type=Path, required=True, help="folder for the workbooks")
    corr.set_defaults(handler=cmd_corrections)

    export = sub.add_parser("export", help="a township table for the public (对外公开), small cells hidden")
    export.add_argument("table", help="a table of the disclosure policy, e.g. mart_assistance_monthly_by_township")
    export.add_argument("--out", type=Path, required=True, help="file to write (.csv or .xlsx)")
    export.set_defaults(handler=cmd_export)

    audit = sub.add_parser("audit-personal-data",
                           help="look for citizen IDs, delivered names and the key in everything civstat wrote")
    audit.add_argument("paths", nargs="*", type=Path,
                       help="files or folders (default: the home, without its landing folder and secrets)")
    audit.add_argument("--names-from", type=Path, help="landing folder whose names to look for (default: the settings')")
    audit.set_defaults(handler=cmd_audit_personal_data)

    sql = sub.add_parser("sql", help="query the published marts, read-only")
    sql.add_argument("query")
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.set_defaults(handler=cmd_sql)
    return parser


def cmd_generate(args: argparse.Namespace) -> int:
    from synthetic.generate import GenerateRequest, generate

    out_dir = args.out or Settings.load().landing_dir

    def progress(county: str, seconds: dict[str, float]) -> None:
        detail = "  ".join(f"{source} {s:.1f}s" for source, s in seconds.items())
        err.print(f"  county {county} done: {detail}")

    try:
        summary = generate(GenerateRequest(out=out_dir, scale=args.scale, seed=args.seed, start=args.start,
                                           end=args.end, defect_rate=args.defect_rate,
                                           rule_breaches=args.rule_breaches),
                           progress=progress if args.scale != "tiny" else None)
    except ValueError as exc:
        err.print(f"[red]generate:[/red] {exc}")
        return EXIT_USAGE
    out.print(f"generated {summary['files']} files with {summary['defects']} planted defects "
              f"in {summary['out']} (truth: {summary['truth']})")
    return EXIT_OK


def cmd_prepare(args: argparse.Namespace) -> int:
    settings = Settings.load()
    settings.ensure_dirs()
    settings.export_env()
    from orchestration.dbt.project import dbt_project

    dbt_project.preparer.prepare(dbt_project)
    out.print(f"dbt manifest prepared: {dbt_project.manifest_path}")
    return EXIT_OK


def cmd_dbt(args: argparse.Namespace) -> int:
    """dbt in the project folder with the warehouse paths exported: the data
    team's way to build or test part of the graph by hand."""
    import subprocess

    from civstat.settings import DBT_PROJECT_DIR, dbt_executable
    from expectations.exceptions import ExceptionRegister
    from ingestion.contract import CONTRACTS
    from ingestion.store import RawStore

    settings = Settings.load()
    settings.ensure_dirs()
    settings.export_env()
    ExceptionRegister(settings.home).ensure()      # dbt reads it as a source
    RawStore(settings.raw_dir).ensure_every_source(CONTRACTS.values())   # … and every raw source
    # Target (DBT_TARGET_PATH, from the settings) and logs under the home, so
    # two homes never share dbt's state.
    env = dict(os.environ, DBT_LOG_PATH=str(settings.home / "dbt" / "logs"))
    command = [dbt_executable(), *args.dbt_args, "--profiles-dir", str(DBT_PROJECT_DIR)]
    return subprocess.run(command, cwd=DBT_PROJECT_DIR, env=env).returncode


def cmd_exception_add(args: argparse.Namespace) -> int:
    from expectations.exceptions import ExceptionRegister, ExplainedException

    if not _is_known_rule(args.suite, args.rule):
        err.print(f"[red]exception:[/red] no rule {args.rule} in suite {args.suite}")
        return EXIT_USAGE
    register = ExceptionRegister(Settings.load().home)
    try:
        ids = [register.record(ExplainedException(args.suite, args.rule, record, args.reason, args.by,
                                                  is_withdrawn=args.withdraw)) for record in args.record]
    except ValueError as exc:
        err.print(f"[red]exception:[/red] {exc}")
        return EXIT_USAGE
    out.print(f"recorded {len(ids)} statement(s) for {args.rule}; they take effect at the next build "
              f"(civstat run)")
    return EXIT_OK


def _is_known_rule(suite_name: str, rule_id: str) -> bool:
    from expectations.suites import all_suites
    from warehouse.jzh01 import AUDIT_SUITE

    if suite_name == AUDIT_SUITE:       # the form's audit relations: the generic ones and the seed's
        return re.fullmatch(r"[A-Z]\d\d", rule_id) is not None
    suite = all_suites().get(suite_name)
    return suite is not None and rule_id in {r.id for r in suite.rules}


def cmd_exception_list(args: argparse.Namespace) -> int:
    from expectations.exceptions import ExceptionRegister

    table = Table("recorded_at", "suite", "rule", "record", "reason", "by", "withdrawn")
    for s in ExceptionRegister(Settings.load().home).statements():
        table.add_row(f"{s['recorded_at']:%Y-%m-%d %H:%M}", s["suite"], s["rule_id"], s["record_key"],
                      s["reason"], s["recorded_by"], "yes" if s["is_withdrawn"] else "")
    out.print(table)
    return EXIT_OK


def cmd_report_jzh01(args: argparse.Namespace) -> int:
    from expectations.exceptions import ExceptionRegister
    from warehouse.jzh01 import AUDIT_SUITE, ReportError, audit_record_key, compute
    from warehouse.submissions import SubmissionStore

    settings = Settings.load()
    fmt = args.format or args.out.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "csv"):
        err.print(f"[red]report:[/red] cannot tell the format of {args.out}; give --format xlsx or csv")
        return EXIT_USAGE
    store = SubmissionStore(settings.home)
    try:
        if args.revision is not None:
            produced = store.render(args.region, args.period, args.revision, args.out, fmt)
            out.print(f"{args.out}: {args.region} {args.period} revision r{produced.revision}, as stored")
            return EXIT_OK
        submission = compute(settings.serving_path, args.region, args.period,
                             ExceptionRegister(settings.home).explained(AUDIT_SUITE))
    except (ReportError, FileNotFoundError) as exc:
        err.print(f"[red]report:[/red] {exc}")
        return EXIT_USAGE
    if submission.blocking_failures:
        err.print(f"[red]{len(submission.blocking_failures)} audit relation(s) fail; no submission written:[/red]")
        for failure in submission.blocking_failures:
            err.print(f"  {failure.rule_id} {failure.code}: {failure.message}  "
                      f"(explain: civstat exception add --suite {AUDIT_SUITE} --rule {failure.rule_id} "
                      f"--record {audit_record_key(args.region, args.period, failure.code)} …)")
        return EXIT_DATA_PROBLEM
    produced = store.produce(submission, args.out, fmt)
    withheld = [r.code for r in submission.rows if r.withheld]
    out.print(f"{args.out}: {args.region} {args.period} revision r{produced.revision}"
              f"{' (new)' if produced.is_new else ' (unchanged figures: the stored revision)'}"
              f"{'; withheld rows: ' + ', '.join(withheld) if withheld else ''}")
    for change in produced.changes:
        out.print(f"  changed {change['code']} {change['label']}: {change['before']} → {change['after']}")
    return EXIT_OK


def cmd_superset(args: argparse.Namespace) -> int:
    from superset import provision, service

    settings = Settings.load()
    try:
        if args.action == "setup":
            out.print(f"Superset virtualenv: {service.setup(settings)}")
        elif args.action == "up":
            url = service.up(settings)
            user, _ = service.admin_credentials(settings)
            where = (f"in {settings.home / 'secrets' / 'superset-admin-password'}"
                     if settings.demo and not settings.superset_password else "from CIVSTAT_SUPERSET_PASSWORD")
            out.print(f"Superset: {url}  (user {user}, password {where}); stop with `civstat superset down`")
        elif args.action == "down":
            out.print("Superset stopped" if service.down(settings) else "Superset was not running")
        elif args.action == "screenshots":
            slugs = [d["slug"] for d in provision.load_definitions().dashboards]
            results = service.screenshots(settings, args.out, slugs)
            for r in results:
                out.print(f"{r['file']}: {r['rendered']}/{r['charts']} charts rendered"
                          + (f", errors: {'; '.join(r['errors'])}" if r["errors"] else ""))
            if not all(r["ok"] for r in results):
                return EXIT_DATA_PROBLEM
        else:
            if not settings.serving_path.exists():
                err.print("no published marts yet: run `civstat run` first")
                return EXIT_USAGE
            report = provision.provision(settings)
            out.print(f"provisioned: {report.count('created')} created, {report.count('updated')} updated, "
                      f"{report.count('unchanged')} unchanged")
            for slug in report.ids("dashboard"):
                out.print(f"  {settings.superset_url}/superset/dashboard/{slug}/")
    except service.SupersetServiceError as exc:
        err.print(f"[red]superset:[/red] {exc}")
        return EXIT_DATA_PROBLEM
    return EXIT_OK


def cmd_shell(args: argparse.Namespace) -> int:
    from warehouse.shell import run_shell

    return run_shell(Settings.load().serving_path)


def cmd_targets(args: argparse.Namespace) -> int:
    from warehouse.query import NotPublished
    from warehouse.targets_report import attainment_rows, print_report, write_xlsx

    try:
        rows = attainment_rows(Settings.load().serving_path, args.region, args.year)
    except (NotPublished, ValueError) as exc:
        err.print(f"[red]targets:[/red] {exc}")
        return EXIT_USAGE
    print_report(rows, out)
    if args.out:
        write_xlsx(rows, args.out, rows[0].region_name, rows[0].year)
        out.print(f"written: {args.out}")
    return EXIT_OK


def cmd_watchlist(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from warehouse.query import NotPublished
    from warehouse.watchlist import print_watchlist, watchlist_rows, write_watchlist

    try:
        rows = watchlist_rows(Settings.load().serving_path, args.region, args.month)
    except (NotPublished, ValueError) as exc:
        err.print(f"[red]watchlist:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    print_watchlist(rows, args.region, args.month, out)
    if args.out:
        write_watchlist(rows, args.out, args.region, args.month)
        out.print(f"written: {args.out}", markup=False, highlight=False)
    return EXIT_OK


def cmd_corrections(args: argparse.Namespace) -> int:
    from warehouse.corrections import write_correction_lists
    from warehouse.query import NotPublished

    try:
        written = write_correction_lists(Settings.load().serving_path, args.out)
    except NotPublished as exc:
        err.print(f"[red]corrections:[/red] {exc}")
        return EXIT_USAGE
    for office, rows in sorted(written.items()):
        out.print(f"{office}: {rows} record(s) → {args.out / (office + '_婚姻登记更正清单.xlsx')}")
    if not written:
        out.print("no registration to correct")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from rich.markup import escape

    from warehouse.public_export import ExportRefused, export_public_table, note
    from warehouse.query import NotPublished

    try:
        done = export_public_table(Settings.load().serving_path, args.table, args.out)
    except (ExportRefused, NotPublished) as exc:
        err.print(f"[red]export:[/red] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    out.print(f"{done.rows} row(s) → {done.path}; {done.hidden_cells} township row(s) with hidden cells",
              markup=False, highlight=False)
    out.print(note(done.disclosure_control), markup=False, highlight=False)
    return EXIT_OK


def cmd_audit_personal_data(args: argparse.Namespace) -> int:
    from civstat.personal_data import PersonalDataAudit, delivered_names

    settings = Settings.load()
    landing = args.names_from or settings.landing_dir
    names = delivered_names(landing) if landing.is_dir() else set()
    secrets = (settings.pseudonym_key().decode("utf-8"),) if settings.pseudonym_key_env or settings.demo else ()
    audit = PersonalDataAudit(names, secrets)
    findings = audit.scan(args.paths or [settings.home],
                          exclude=(settings.landing_dir, settings.home / "secrets"))
    for finding in findings:
        out.print(str(finding), markup=False, highlight=False)
    out.print(f"{audit.files} file(s) read, {len(names)} delivered name(s) looked for: "
              f"{len(findings)} finding(s)")
    return EXIT_DATA_PROBLEM if findings else EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.run import RunRefused, run_pipeline

    settings = Settings.load({"landing_dir": args.landing, "engine": args.engine})
    started = dt.datetime.now()
    log_path = settings.home / "logs" / f"run-{started:%Y%m%dT%H%M%S}.log"
    try:
        with err.status(f"civstat run on {settings.landing_dir} …"), _run_log(log_path, args.verbose):
            summary = run_pipeline(settings, log_level="INFO" if args.verbose else "CRITICAL")
    except (RunRefused, SettingsError) as exc:
        err.print(f"[red]run refused:[/red] {exc}")
        return EXIT_USAGE
    seconds = (dt.datetime.now() - started).total_seconds()
    _print_run_summary(settings, summary, seconds)
    out.print(f"log: {log_path}")
    if summary.success:
        return EXIT_OK
    return EXIT_DATA_PROBLEM


@contextlib.contextmanager
def _run_log(path: Path, verbose: bool):
    """Dagster's, dbt's and GX's step logs go to a file; the terminal gets the summary."""
    if verbose:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    with open(path, "a", encoding="utf-8") as fh, contextlib.redirect_stdout(fh):
        handler = logging.StreamHandler(fh)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        saved = root.handlers[:]
        root.handlers = [handler]
        try:
            yield
        finally:
            root.handlers = saved


def _print_run_summary(settings: Settings, summary, seconds: float) -> None:
    from ingestion.store import RawStore

    for step in summary.steps:
        mark = "[green]ok[/green]" if step.success else "[red]failed[/red]"
        out.print(f"{mark}  {step.job}  (run {step.run_id[:8]})")
        for failure in step.failures:
            out.print(f"     {failure}")
    store = RawStore(settings.raw_dir)
    _print_file_problems(store, {step.run_id for step in summary.steps})
    _print_unread_files(settings)
    rows = store.accounting()
    out.print(f"rows in the current files: {rows['read']} read = {rows['loaded']} loaded "
              f"+ {rows['quarantined']} quarantined ({rows['files']} files)")
    if summary.build_reason:
        scope = "every asset" if summary.rebuilt is None else f"{len(summary.rebuilt)} assets"
        out.print(f"build: {scope} ({summary.build_reason})")
    for failure in summary.check_failures:
        # A failing rule either stopped publication or withheld the figures it concerns.
        what = "figures withheld (meta.withheld_figures)" if summary.published else "blocking"
        out.print(f"[red]check failed[/red] ({what}): {failure}")
    from orchestration.quality import open_findings
    for finding in open_findings(settings):
        # Findings withhold nothing: they are for the offices that act on them.
        out.print(f"[yellow]finding[/yellow]  {finding['rule_id']} {finding['description_zh']}: "
                  f"{finding['records']} place(s) or record(s) (suite {finding['suite']}, in the Data Docs)",
                  highlight=False)
    if summary.published:
        out.print(f"published: {settings.serving_path}")
        out.print('query it:  civstat sql "select * from mart_assistance_monthly_by_township limit 5"')
    else:
        out.print("[red]nothing published[/red]: the serving file keeps its previous version")
    out.print(f"quarantine: {settings.raw_dir / '_quarantine'}   Dagster runs: {settings.dagster_home}   "
              f"took {seconds:.1f}s")


def _print_file_problems(store, run_ids: set[str], shown: int = 5, examples: int = 2) -> None:
    """What this run could not load: every rejected file with its reason, and the
    first files with quarantined rows with their first lines, fields and reasons
    (the rest counted; the quarantine folder has them all)."""
    from rich.markup import escape

    entries = store.entries_of_runs(run_ids)
    for entry in (e for e in entries if e["status"] == "rejected"):
        out.print(f"[red]rejected[/red]     {escape(entry['file_name'])}: {escape(entry['reason'] or '')} "
                  "(nothing of it is loaded; the period keeps any earlier version)", highlight=False)
    quarantined = [e for e in entries if e["status"] == "loaded" and e["rows_quarantined"]]
    for entry in quarantined[:shown]:
        out.print(f"[yellow]quarantined[/yellow]  {escape(entry['file_name'])}: {entry['rows_quarantined']} of "
                  f"{entry['rows_read']} rows", highlight=False)
        for row in store.quarantined_rows(entry["source"], entry["period"], entry["file_name"])[:examples]:
            out.print(f"             第{row['source_row']}行 {escape(row['fields'])}：{escape(row['reasons'])}",
                      highlight=False)
    if len(quarantined) > shown:
        rest = quarantined[shown:]
        out.print(f"             … and {len(rest)} more files with {sum(e['rows_quarantined'] for e in rest)} "
                  "quarantined rows (the quarantine folder below)", highlight=False)


def _print_unread_files(settings: Settings) -> None:
    """Files in the landing folder that no run reads: a name that breaks the
    contract, or another county's. Said at every run while they are there."""
    from rich.markup import escape

    from ingestion import landing
    from ingestion.contract import CONTRACTS

    for contract in CONTRACTS.values():
        for message in landing.scan(settings.landing_dir, contract, settings.counties).not_read():
            out.print(f"[yellow]not read[/yellow]     {escape(message)}", highlight=False)


def cmd_sql(args: argparse.Namespace) -> int:
    import duckdb

    from warehouse.formulas import csv_row
    from warehouse.query import NotPublished, QueryRefused, run_query

    settings = Settings.load()
    try:
        result = run_query(settings.serving_path, args.query)
    except (QueryRefused, NotPublished) as exc:
        err.print(f"[red]sql:[/red] {exc}")
        return EXIT_USAGE
    except duckdb.Error as exc:
        err.print(f"[red]sql:[/red] {str(exc).strip().splitlines()[0]}")
        return EXIT_USAGE
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(csv_row(row) for row in result.rows)
    elif args.format == "json":
        rows = [dict(zip(result.columns, row)) for row in result.rows]
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, default=_json_value, indent=1) + "\n")
    else:
        table = Table(show_lines=False)
        for column in result.columns:
            table.add_column(column, overflow="fold")
        for row in result.rows:
            table.add_row(*("" if v is None else str(v) for v in row))
        # Piped output keeps whole values: codes must never be cut.
        console = out if out.is_terminal else Console(width=100_000, highlight=False)
        console.print(table, crop=False)
        out.print(f"{len(result.rows)} rows")
    return EXIT_OK


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


if __name__ == "__main__":
    sys.exit(main())

"""One very large delivery: time, peak memory and the accounting of ingesting it.

    .venv/bin/python bench/large_file.py --extracts /tmp/bench-county/extracts --gigabytes 2 --work /tmp/large-file

Builds a monthly 低保 roll of about ``--gigabytes`` GB in GBK by repeating the
rows of a real generated month (each copy's 家庭编号 made unique; the same
people recur, as they do on a roll), puts it in a landing folder with the
division table, and ingests it with civstat's ingestion in a child process
(one worker: a single file is one period), sampling that process's CPU and
resident memory (bench/measure.py). Checks rows read = loaded + quarantined
against the rows written. A file over the largest delivery read
(`max_file_mb`, 512 MB by default) is rejected before it is read: that is
measured too.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run_measured  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys
from pathlib import Path
from ingestion.contract import ASSISTANCE, REGION_CHANGES, REGIONS
from ingestion.load import ingest_source
from ingestion.store import RawStore
landing, raw = Path(sys.argv[1]), Path(sys.argv[2])
store = RawStore(raw)
for contract in (REGIONS, REGION_CHANGES):
    ingest_source(store, landing, contract, counties=["370832"], secret=b"bench")
[result] = ingest_source(store, landing, ASSISTANCE, counties=["370832"], secret=b"bench", workers=1)
print(json.dumps({"outcome": result.outcome, "read": result.rows_read, "loaded": result.rows_loaded,
                  "quarantined": result.rows_quarantined, "messages": result.messages}, ensure_ascii=False))
"""


def build(source: Path, target: Path, gigabytes: float) -> int:
    """Write the large file; returns the data rows written."""
    lines = source.read_bytes().decode("gb18030").splitlines()
    header, body = lines[0], lines[1:]
    column = header.split(",").index("家庭编号")
    wanted, written, rows, copy = gigabytes * 2**30, 0, 0, 0
    with target.open("wb") as out:
        out.write((header + "\r\n").encode("gbk"))
        while written < wanted:
            chunk = []
            for line in body:
                fields = line.split(",")
                fields[column] = f"{fields[column]}-{copy}"
                chunk.append(",".join(fields))
            data = ("\r\n".join(chunk) + "\r\n").encode("gbk")
            out.write(data)
            written += len(data)
            rows += len(chunk)
            copy += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--extracts", type=Path, required=True, help="a generated landing folder (county scale)")
    parser.add_argument("--gigabytes", type=float, default=2.0)
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()

    shutil.rmtree(args.work, ignore_errors=True)
    landing, raw = args.work / "landing", args.work / "raw"
    for folder in ("regions", "region_changes"):
        shutil.copytree(args.extracts / folder, landing / folder)
    month = sorted(p for p in (args.extracts / "assistance").glob("*.csv") if "_v" not in p.name)[-1]
    (landing / "assistance").mkdir(parents=True)
    big = landing / "assistance" / month.name
    rows = build(month, big, args.gigabytes)
    size = big.stat().st_size
    measured = run_measured([sys.executable, "-c", CHILD, str(landing), str(raw)], cwd=REPO)
    if measured.returncode != 0:
        print(measured.output[-3000:])
        raise SystemExit(f"ingestion failed with exit code {measured.returncode}")
    result = json.loads(measured.output.strip().splitlines()[-1])
    totals = measured.totals()
    print(f"file: {big.name}, {size / 2**30:.2f} GB, {rows:,} rows written")
    if result["outcome"] == "rejected":
        print(f"rejected: {'; '.join(result['messages'])}")
    print(f"outcome: {result['outcome']}; read {result['read']:,} = loaded {result['loaded']:,} + "
          f"quarantined {result['quarantined']:,}: {result['read'] == result['loaded'] + result['quarantined']}; "
          f"all rows read: {result['read'] == rows}")
    speed = f", {result['read'] / totals['wall_s']:,.0f} rows/s" if result["read"] else ""
    print(f"wall {totals['wall_s']} s, CPU {totals['cpu_s']} s, peak RSS {totals['peak_rss_mb']:,} MB{speed}")


if __name__ == "__main__":
    main()

"""One command for the scale table: `bench/measure.py` at 500 / 2,000 / 8,000 cases on SQLite
and PostgreSQL, one database per size and engine (built once, kept for the next run).

    .venv/bin/python bench/scale.py                       # everything (long: ~1 h at 8,000)
    .venv/bin/python bench/scale.py --sizes 500,2000 --databases sqlite --no-http

Each measurement runs in its own process (`measure.py --json`), so one size's caches and
connections never help another. Prints, per page, the median (ms), the query count and, over
HTTP, requests/s; then the operations (s). `--json` prints the raw reports instead.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def database_url(engine, size):
    if engine == "sqlite":
        return f"sqlite:////tmp/awards-bench-{size}.sqlite3"
    name = f"awards_bench_{size}"
    exists = subprocess.run(
        [
            "psql",
            f"{PG_SERVER}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",  # noqa: S608 — a fixed name
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["createdb", "--maintenance-db", f"{PG_SERVER}/postgres", name], check=True)
    return f"{PG_SERVER}/{name}"


def measure(engine, size, *, http, duration, port):
    command = [sys.executable, str(ROOT / "bench" / "measure.py"), "--json", "--cases", str(size)]
    command += ["--duration", str(duration), "--port", str(port)]
    if not http:
        command.append("--no-http")
    env = dict(os.environ, DATABASE_URL=database_url(engine, size))
    env.pop("CACHE_URL", None)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit(
            f"{engine} {size}: measure.py failed\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return json.loads(result.stdout)


def print_table(reports):
    keys = list(reports)
    header = " ".join(f"{engine[:2]}{size:>6}" for engine, size in keys)
    print(f"{'page: median ms / queries':<56} {header}")
    pages = [row["what"] for row in next(iter(reports.values()))["pages"]]
    for page in pages:
        cells = []
        for key in keys:
            row = next(r for r in reports[key]["pages"] if r["what"] == page)
            cells.append(f"{row['median_ms']:.0f}/{row['queries']}".rjust(8))
        print(f"{page[:56]:<56} {' '.join(cells)}")
        if "changed_ms" in next(r for r in reports[keys[0]]["pages"] if r["what"] == page):
            changed = [
                next(r for r in reports[k]["pages"] if r["what"] == page)["changed_ms"]
                for k in keys
            ]
            cells = [f"{value:.0f}".rjust(8) for value in changed]
            print(f"{'  … right after a score changed':<56} {' '.join(cells)}")
    print(f"{'operation: seconds':<56} {header}")
    operations = [row["what"].split(" (")[0] for row in next(iter(reports.values()))["operations"]]
    for operation in dict.fromkeys(operations):
        cells = []
        for key in keys:
            row = next(
                (r for r in reports[key]["operations"] if r["what"].startswith(operation)), None
            )
            cells.append((f"{row['seconds']:.2f}" if row else "—").rjust(8))
        print(f"{operation[:56]:<56} {' '.join(cells)}")
    if any(report.get("http") for report in reports.values()):
        print(f"{'over HTTP: req/s':<56} {header}")
        for what in [row["what"] for row in next(iter(reports.values())).get("http", [])]:
            cells = []
            for key in keys:
                row = next((r for r in reports[key].get("http", []) if r["what"] == what), None)
                cells.append((f"{row['requests_per_second']:.0f}" if row else "—").rjust(8))
            print(f"{what[:56]:<56} {' '.join(cells)}")
    for key, report in reports.items():
        print(f"{key[0]} {key[1]}: load {report['load_before']} → {report['load_after']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="500,2000,8000")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    reports = {}
    for engine in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"measuring {engine} at {size} cases…", file=sys.stderr)
            reports[(engine, size)] = measure(
                engine, size, http=not args.no_http, duration=args.duration, port=args.port
            )
    if args.json:
        print(json.dumps({f"{e}-{s}": r for (e, s), r in reports.items()}, ensure_ascii=False))
    else:
        print_table(reports)


if __name__ == "__main__":
    main()

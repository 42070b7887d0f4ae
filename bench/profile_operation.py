"""Profile the organiser operations of `bench/measure.py` (issue 12) with pyinstrument.

    DATABASE_URL=sqlite:////tmp/copy-8000.sqlite3 .venv/bin/python bench/profile_operation.py \
        --cases 8000 --what import --out /tmp/profiles

Runs one operation exactly as `measure.py --only operations` does (same settings, same
workload, same rollback), with each timed call under the profiler; writes a text and an HTML
profile per call and prints the timings (and, with `--queries`, the number of SQL queries).
"""

import argparse
import os
import sys
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import measure

OPERATIONS = {
    "tabulate": "measure_tabulation",
    "assign": "measure_assignment",
    "export": "measure_export",
    "import": "measure_import",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--what", choices=sorted(OPERATIONS), required=True)
    parser.add_argument("--out", default=None, help="directory for the profiles")
    parser.add_argument("--no-profile", action="store_true", help="only time the call")
    parser.add_argument(
        "--queries",
        action="store_true",
        help="count the SQL queries (Django's debug cursor: on SQLite it quotes every "
        "parameter again, seconds more at 8,000 cases, so time without it)",
    )
    args = parser.parse_args()

    os.environ.update(measure.PRODUCTION_LIKE)
    os.environ.setdefault("DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    measure.django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    call_command("migrate", verbosity=0)
    measure.ensure_workload(args.cases)
    ctx = measure.context()
    out = Path(args.out) if args.out else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    timed = measure.time_call
    calls = []

    def profiled_time_call(function, repeat=1):
        profiler = None if args.no_profile else Profiler(interval=0.002)
        capture = CaptureQueriesContext(connection) if args.queries else nullcontext([])
        with capture as queries:
            if profiler:
                profiler.start()
            result = timed(function, repeat)
            if profiler:
                profiler.stop()
        calls.append(result)
        counted = f" queries={len(queries)}" if args.queries else ""
        print(f"{args.what} call {len(calls)}: {result}{counted}", flush=True)
        if profiler and out:
            name = f"{connection.vendor}-{args.cases}-{args.what}-{len(calls)}"
            (out / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
            (out / f"{name}.html").write_text(profiler.output_html())
        return result

    measure.time_call = profiled_time_call
    rows = getattr(measure, OPERATIONS[args.what])(ctx)
    for row in rows if isinstance(rows, list) else [rows]:
        print(row)


if __name__ == "__main__":
    main()

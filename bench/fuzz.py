"""The large fuzz run: every URL pattern, as each role, with hostile query strings and form
bodies (tests/security/fuzzing.py); prints the requests sent and how many answered 500.

    .venv/bin/python bench/fuzz.py --count 4000 [--seed N]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test TEST_DATABASE_NAME=test_fuzz \\
        .venv/bin/python bench/fuzz.py --count 4000

It runs tests/security/test_fuzz.py with FUZZ_COUNT (a test database of its own, as the
suite does) and prints the run's summary and every request that answered 500.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    env = {**os.environ, "FUZZ_COUNT": str(args.count), "FUZZ_SEED": str(args.seed)}
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "tests/security/test_fuzz.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("fuzz")]
    print("\n".join(lines) or result.stdout[-3000:])
    print(f"seed {args.seed}, {time.monotonic() - started:.0f} s, pytest exit {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())

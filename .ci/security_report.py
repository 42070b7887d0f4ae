#!/usr/bin/env python3
"""OPS-01: the pre-release security test report, one Markdown file per release, to archive
with the release (`make security-report`, written to
`docs/security/reports/security-report-<date>-<commit>.md`).

It runs, and records with their real output:
1. SAST — ruff's flake8-bandit rules (S) over the project's code, with every `noqa: S…`
   exemption listed for review;
2. configuration — `manage.py check --deploy --fail-level WARNING` with production settings;
3. dependencies — pip-audit (`.ci/audit_dependencies.py`);
4. the security tests — tests/security and the tests tagged by SECURITY.md IDs;
5. DAST — the fuzz run (`bench/fuzz.py`): every URL as each role with hostile input, and the
   number of answers 500.
Exit status 1 when any step failed; the report says which.
"""

import argparse
import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
SECURITY_TESTS = [
    "tests/security",
    "tests/cases/test_lockout.py",
    "tests/cases/test_password_policy.py",
    "tests/cases/test_second_factor.py",
    "tests/cases/test_sessions.py",
    "tests/cases/test_hostile_uploads.py",
    "tests/cases/test_field_encryption.py",
    "tests/cases/audit",
]


def run(command, env=None, timeout=3600):
    result = subprocess.run(  # noqa: S603 - fixed command lines of our own tools
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return result.returncode, (result.stdout + result.stderr).strip()


def tail(text, lines=25):
    return "\n".join(text.splitlines()[-lines:])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz-count", type=int, default=4000)
    parser.add_argument("--output-dir", default=str(ROOT / "docs" / "security" / "reports"))
    args = parser.parse_args()

    commit = run(["git", "rev-parse", "--short", "HEAD"])[1] or "unknown"
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    steps = []

    code, out = run([str(ROOT / ".venv" / "bin" / "ruff"), "check", "--select", "S", "."])
    exemptions = run(["git", "grep", "-n", "noqa: S", "--", "*.py"])[1]
    steps.append(("SAST: ruff flake8-bandit (S) rules", code, out, exemptions))

    production = {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_hex(32),
        "ALLOWED_HOSTS": "awards.example.org",
        "SECURE_HSTS_PRELOAD": "1",
    }
    code, out = run(
        [PY, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=production
    )
    steps.append(("Configuration: check --deploy with production settings", code, out, ""))

    code, out = run([PY, ".ci/audit_dependencies.py"])
    steps.append(("Dependencies: pip-audit", code, out, ""))

    code, out = run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SECURITY_TESTS])
    steps.append(("Security tests (SECURITY.md IDs)", code, tail(out, 8), ""))

    code, out = run([PY, "bench/fuzz.py", "--count", str(args.fuzz_count)])
    steps.append((f"DAST: fuzz run, {args.fuzz_count} requests", code, tail(out, 15), ""))

    failed = [title for title, code, _, _ in steps if code != 0]
    lines = [
        f"# Security test report — commit {commit}",
        "",
        f"- date: {now:%Y-%m-%d %H:%M} (Asia/Shanghai)",
        f"- result: {'FAILED: ' + '; '.join(failed) if failed else 'all steps passed'}",
        "- requirement: ../shared/SECURITY.md; traceability: docs/security/traceability.md",
        "",
    ]
    for title, code, out, extra in steps:
        lines += [f"## {title}", "", f"exit status {code}", "", "```", out or "(no output)", "```"]
        if extra:
            lines += ["", "Exemptions (`noqa: S…`), each to review:", "", "```", extra, "```"]
        lines.append("")
    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    path = output / f"security-report-{now:%Y%m%d}-{re.sub(r'[^0-9a-f]', '', commit)}.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    print(path)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

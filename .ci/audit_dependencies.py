#!/usr/bin/env python3
"""CFG-04: the pinned requirements checked for known vulnerabilities by pip-audit (PyPA).

Fails (exit 1) on any known vulnerability. When the vulnerability service cannot be reached
(an offline build machine: every dependency comes back "could not be audited"), it says so
and passes, unless AUDIT_REQUIRED=1, which a deployment's release pipeline with internet
access should set.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    pip_audit = ROOT / ".venv" / "bin" / "pip-audit"
    result = subprocess.run(  # noqa: S603 - our own fixed command line
        [str(pip_audit), "-r", "requirements.txt", "-f", "json", "--progress-spinner", "off"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("pip-audit gave no report:", result.stderr.strip()[-500:])
        return 1 if os.environ.get("AUDIT_REQUIRED") == "1" else 0
    code, lines = verdict(report, required=os.environ.get("AUDIT_REQUIRED") == "1")
    print("\n".join(lines))
    return code


def verdict(report, *, required=False):
    """(exit code, lines to print) for a pip-audit JSON report."""
    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    lines = []
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            lines.append(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} ({fixed})"
            )
    if vulnerable:
        return 1, lines
    if not audited:
        lines.append(
            f"dependency audit NOT RUN: the vulnerability service is unreachable "
            f"({len(dependencies)} dependencies could not be looked up)"
        )
        return (1 if required else 0), lines
    return 0, [f"dependency audit: {len(audited)} dependencies, no known vulnerability"]


if __name__ == "__main__":
    sys.exit(main())

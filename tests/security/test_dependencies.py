"""CFG-04: every dependency pinned to one version, Django on the 5.2 LTS line, and the
verdict of the CI's vulnerability audit (`.ci/audit_dependencies.py`, pip-audit) on its
reports: a known vulnerability fails the build; an unreachable service is said, not hidden."""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_audit():
    spec = importlib.util.spec_from_file_location("audit", ROOT / ".ci" / "audit_dependencies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def requirement_lines(name):
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r"):
            yield line


def test_every_requirement_is_pinned_to_one_version():
    pin = re.compile(r"^[A-Za-z0-9_.-]+(\[[a-z0-9,_-]+\])?==[0-9][0-9A-Za-z.]*$")
    loose = [
        line
        for name in ("requirements.txt", "requirements-dev.txt")
        for line in requirement_lines(name)
        if not pin.match(line)
    ]
    assert loose == []


def test_django_is_on_the_52_lts_line():
    (django,) = [
        line for line in requirement_lines("requirements.txt") if line.startswith("Django==")
    ]
    assert django.startswith("Django==5.2.")


def test_a_known_vulnerability_fails_the_audit():
    report = {
        "dependencies": [
            {
                "name": "django",
                "version": "5.2.0",
                "vulns": [{"id": "PYSEC-X", "fix_versions": ["5.2.1"]}],
            },
            {"name": "nh3", "version": "0.3.8", "vulns": []},
        ]
    }
    code, lines = load_audit().verdict(report)
    assert code == 1
    assert lines == ["VULNERABLE django 5.2.0: PYSEC-X (5.2.1)"]


def test_a_clean_report_passes_and_an_unreachable_service_is_reported():
    audit = load_audit()
    clean = {"dependencies": [{"name": "nh3", "version": "0.3.8", "vulns": []}]}
    assert audit.verdict(clean) == (0, ["dependency audit: 1 dependencies, no known vulnerability"])

    offline = {"dependencies": [{"name": "django", "skip_reason": "Dependency not found"}]}
    code, lines = audit.verdict(offline)
    assert code == 0 and "NOT RUN" in lines[0]
    assert audit.verdict(offline, required=True)[0] == 1

"""OPS-01/OPS-02: the release checklist, the security report generator and the incident
runbook exist and say what SECURITY.md asks of them."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def read(name):
    return (ROOT / name).read_text(encoding="utf-8")


def test_the_release_checklist_asks_for_the_report_and_separates_environments():
    text = read("docs/security/release-checklist.md")
    for needed in (
        "make security-report",
        "SAST",
        "DAST",
        "Separation of environments",
        "Test data is not real personal data",
    ):
        assert needed in text
    assert "security-report:" in read("Makefile")
    report = read(".ci/security_report.py")
    for step in ("--select", 'check", "--deploy', "audit_dependencies.py", "bench/fuzz.py"):
        assert step in report


def test_the_incident_runbook_has_contacts_notification_and_an_exercise_record():
    text = read("docs/security/incident-runbook.md")
    for needed in (
        "## Contacts",
        "72 hours",
        "PIPL 第57条",
        "公安机关",
        "Tabletop exercise record",
        "verify_audit",
    ):
        assert needed in text

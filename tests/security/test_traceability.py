"""Every line of SECURITY.md has its row in docs/security/traceability.md, and every test that
row names exists: the document an assessor reads cannot drift from the suite unnoticed."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENT = ROOT.parent / "shared" / "SECURITY.md"
TRACEABILITY = ROOT / "docs" / "security" / "traceability.md"
ID = re.compile(r"\b((?:AUTH|SESS|AC|IN|UP|LOG|DATA|BAK|CFG|OPS)-\d\d)\b")
TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def requirement_ids():
    if REQUIREMENT.exists():
        text = REQUIREMENT.read_text(encoding="utf-8")
        return {
            m for line in text.splitlines() if line.startswith("| ") for m in ID.findall(line)[:1]
        }
    # The shared folder is beside the checkout in development; in a lone clone, the IDs the
    # document itself lists are checked against the tests only.
    return set()


def rows():
    found = {}
    for line in TRACEABILITY.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and ID.match(line[2:]):
            found[ID.match(line[2:]).group(1)] = line
    return found


def defined_tests(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_requirement_line_has_a_row():
    missing = requirement_ids() - set(rows())
    assert not missing, f"SECURITY.md lines without a row: {sorted(missing)}"


def test_every_row_names_at_least_one_test_or_says_why_not():
    empty = [
        rid
        for rid, line in rows().items()
        if not TEST_REFERENCE.search(line) and "no automated test" not in line
    ]
    assert empty == []


def test_every_named_test_exists():
    missing = []
    for rid, line in rows().items():
        for path, name in TEST_REFERENCE.findall(line):
            if not (ROOT / path).exists() or name not in defined_tests(path):
                missing.append(f"{rid}: {path}::{name}")
    assert missing == []

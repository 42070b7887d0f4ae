"""BAK-02 [L3]: real-time replication to a hot standby and failover, as the README's
"Backup and restore" describes it, on real PostgreSQL servers: a primary made for the test,
a standby cloned from it by `pg_basebackup -R` (streaming replication, read-only queries),
writes of the app on the primary seen on the standby within a second (the RPO), the primary
killed, the standby promoted and taking the app's writes (the RTO), the audit chain intact.

Runs with PostgreSQL's server binaries and root (to run them as the postgres user) or as the
postgres user; skipped otherwise, unless REQUIRE_FAILOVER=1."""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BINDIRS = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def available():
    if not BINDIRS or not Path(BINDIRS[-1], "initdb").exists():
        return "PostgreSQL server binaries not found"
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        return "needs root (to run PostgreSQL as postgres) or the postgres user"
    return None


reason = available()
pytestmark = pytest.mark.skipif(
    reason is not None and os.environ.get("REQUIRE_FAILOVER") != "1", reason=reason or ""
)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(*command, check=True):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    binary = str(Path(BINDIRS[-1], command[0]))
    return subprocess.run(
        [*prefix, binary, *command[1:]], capture_output=True, text=True, check=check, timeout=120
    )


def manage(url, *args, code=None):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("TEST_DATABASE_NAME", None)
    command = [sys.executable, "manage.py", *args] if code is None else [sys.executable, "-c", code]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def psql_value(port, sql):
    result = as_postgres("psql", "-h", "127.0.0.1", "-p", str(port), "-d", "awards", "-tAc", sql)
    return result.stdout.strip()


WRITE_AUDIT_ROW = (
    "import django; django.setup()\n"
    "from cases.services import audit_log\n"
    "from cases.models import Programme\n"
    "programme = Programme.objects.create(name='{name}', slug='{slug}')\n"
    "audit_log(code='bench.failover', obj=programme, data={{'step': '{name}'}})\n"
)


@pytest.fixture
def servers():
    base = Path(tempfile.mkdtemp(prefix="awards-failover-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    primary, standby = base / "primary", base / "standby"
    ports = {"primary": free_port(), "standby": free_port()}
    started = []

    def start(data, port):
        result = as_postgres(
            "pg_ctl",
            "-D",
            str(data),
            "-l",
            str(base / f"{data.name}.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1",
            "start",
        )
        started.append(data)
        return result

    try:
        as_postgres("initdb", "-D", str(primary), "--auth=trust", "-U", "postgres", "-E", "UTF8")
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        start(primary, ports["primary"])
        as_postgres("createdb", "-h", "127.0.0.1", "-p", str(ports["primary"]), "awards")
        yield {"base": base, "primary": primary, "standby": standby, "ports": ports, "start": start}
    finally:
        for data in started:
            as_postgres("pg_ctl", "-D", str(data), "-m", "immediate", "stop", check=False)
        shutil.rmtree(base, ignore_errors=True)


def test_a_hot_standby_follows_the_primary_and_takes_over_when_it_dies(servers):
    ports = servers["ports"]
    primary_url = f"postgres://postgres@127.0.0.1:{ports['primary']}/awards"
    standby_url = f"postgres://postgres@127.0.0.1:{ports['standby']}/awards"
    migrated = manage(primary_url, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-2000:]

    # -c fast: start with an immediate checkpoint instead of waiting for a spread one
    clone = f"pg_basebackup -h 127.0.0.1 -p {ports['primary']} -U postgres -R -X stream -c fast"
    as_postgres(*clone.split(), "-D", str(servers["standby"]))
    servers["start"](servers["standby"], ports["standby"])
    assert psql_value(ports["standby"], "SELECT pg_is_in_recovery()") == "t"

    written = manage(primary_url, code=WRITE_AUDIT_ROW.format(name="写在主库", slug="on-primary"))
    assert written.returncode == 0, written.stderr[-2000:]
    seen_after = None
    started = time.monotonic()
    while time.monotonic() - started < 10:
        if psql_value(ports["standby"], "SELECT count(*) FROM cases_programme") == "1":
            seen_after = time.monotonic() - started
            break
        time.sleep(0.05)
    assert seen_after is not None and seen_after < 1.0, "the standby did not follow within 1 s"
    print(f"\nreplication: row visible on the standby {seen_after * 1000:.0f} ms after commit")

    refused = as_postgres(
        "psql",
        "-h",
        "127.0.0.1",
        "-p",
        str(ports["standby"]),
        "-d",
        "awards",
        "-c",
        "INSERT INTO cases_programme (name, slug) VALUES ('x', 'x')",
        check=False,
    )
    assert "read-only" in refused.stderr  # hot standby: reads yes, writes no

    crashed_at = time.monotonic()
    as_postgres("pg_ctl", "-D", str(servers["primary"]), "-m", "immediate", "stop")
    as_postgres("pg_ctl", "-D", str(servers["standby"]), "-w", "-t", "60", "promote")
    taken_over = manage(
        standby_url, code=WRITE_AUDIT_ROW.format(name="写在备库", slug="on-standby")
    )
    rto = time.monotonic() - crashed_at
    assert taken_over.returncode == 0, taken_over.stderr[-2000:]
    print(f"failover: the promoted standby took the app's write {rto:.1f} s after the crash")

    verified = manage(standby_url, "verify_audit")
    assert verified.returncode == 0, verified.stderr[-2000:]
    assert "audit trail intact" in verified.stdout
    assert psql_value(ports["standby"], "SELECT count(*) FROM cases_programme") == "2"

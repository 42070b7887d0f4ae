"""Load on the public vote: many concurrent voters casting votes over HTTP against gunicorn
on PostgreSQL.

    .venv/bin/python bench/votes.py --port 8765 --workers 3 --voters 400 --concurrency 32

What it does:
1. (re)creates the PostgreSQL database `--database` (default `bench_votes`) and migrates it;
2. builds a public-vote round (one category, `--cases` cases advanced from a scored expert
   round) through the product's services, opens it, and verifies `--voters` voters
   **directly through the service** (`voter_for_identifier_hash`, the step after a correct
   code) with a session each in the site's session engine (cached_db: the database and Redis
   `--redis`, database 6, prefix `vote-bench`): the
   benchmark measures voting, not mail delivery or the code form;
3. starts gunicorn (`--workers` gthread workers, `--threads` threads each, psycopg pool) on
   `--port` with DEBUG off, the CAPTCHA off (`PUBLIC_VOTE_CAPTCHA=0`) and the rate limits
   off (`PUBLIC_VOTE_RATE_IP=` and `PUBLIC_VOTE_RATE_NETWORK=` empty: every request comes
   from 127.0.0.1, so one /24 would otherwise be throttled, which is the point of it);
4. each voter casts `--votes` votes (the round allows exactly that many per day) and then
   one more, which must be refused (409): `--concurrency` client threads, keep-alive
   connections, each request a real POST with CSRF token and session cookie, prepared as
   bytes before the clock starts and sent over a plain socket (the client's CPU would
   otherwise crowd out the server's on 2 cores);
5. prints accepted votes/s, p50/p99 latency of accepted votes, refused and failed requests,
   whether the stored count equals the accepted votes (0 lost, 0 double-counted) and no
   voter exceeds the limit, the machine's load average before and after, and the CPU time
   per request of gunicorn, of the PostgreSQL backends serving `--database` and of the
   client, next to how busy the whole machine was (on a shared machine the votes/s depend
   on what else runs; bench/vote_profile.py measures one vote in process).
"""

import argparse
import http.client
import os
import queue
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "bench-votes-" + "x" * 40


def server_env(args):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{args.server}/{args.database}",
        CACHE_URL=args.redis,
        CACHE_KEY_PREFIX="vote-bench",
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        DB_POOL="1",
        DB_POOL_MAX_SIZE=str(args.threads + 2),
        PUBLIC_VOTE_CAPTCHA="0",
        PUBLIC_VOTE_RATE_IP="",
        PUBLIC_VOTE_RATE_NETWORK="",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(Path(tempfile.gettempdir()) / "vote-bench-static"),
    )
    return env


def recreate_database(args):
    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{args.database}"')
    for command in (["migrate"], ["collectstatic"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "--noinput", "-v", "0"],
            cwd=ROOT,
            env=server_env(args),
            check=True,
        )


def build(args):
    """The round and the voters' sessions; returns (round, case ids, session keys)."""
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings

    # The site's own session engine (cached_db: the row in the database, a copy in Redis),
    # so gunicorn finds the sessions whatever the engine is.
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    from django.utils import timezone

    from cases.models import (
        Case,
        CaseLeadUnit,
        CaseStatus,
        Category,
        Edition,
        EditionStatus,
        Programme,
        Unit,
        UnitLevel,
        UnitType,
        User,
    )
    from judging.models import (
        Assignment,
        Criterion,
        CriterionScore,
        EntryResult,
        Judge,
        Review,
        ReviewStatus,
        Round,
        RoundEntry,
        RoundKind,
        RoundStatus,
    )
    from judging.voting.identity import identifier_hash
    from judging.voting.models import PublicVoteSettings
    from judging.voting.services import public_vote_open, voter_for_identifier_hash

    now = timezone.now()
    programme = Programme.objects.create(name="压测评选活动", slug="bench-votes")
    edition = Edition.objects.create(
        programme=programme, title="压测届", slug="bench", year=2026, status=EditionStatus.REVIEWING
    )
    category = Category.objects.create(edition=edition, name="压测类别", code="B", order=0)
    source = Round.objects.create(edition=edition, name="初审", order=1, status=RoundStatus.CLOSED)
    criterion = Criterion.objects.create(round=source, name="综合", weight=1, max_points=10)
    vote_round = Round.objects.create(
        edition=edition,
        name="网络投票",
        order=2,
        kind=RoundKind.PUBLIC_VOTE,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
    )
    user = User.objects.create_user(email="bench-judge@example.org", password=None)
    judge = Judge.objects.create(name="压测专家", user=user)
    unit = Unit.objects.create(
        name="压测单位", type=UnitType.PARTY_GOVERNMENT, level=UnitLevel.MUNICIPAL
    )
    cases = []
    for i in range(args.cases):
        case = Case.objects.create(
            edition=edition,
            category=category,
            owner_unit=unit,
            submitting_unit=unit,
            reference=f"B-{i:03d}",
            title=f"压测案例{i}",
            summary="压测案例简介",
            status=CaseStatus.IN_REVIEW,
        )
        CaseLeadUnit.objects.create(case=case, unit=unit)
        assignment = Assignment.objects.create(round=source, case=case, judge=judge)
        review = Review.objects.create(
            assignment=assignment,
            status=ReviewStatus.SUBMITTED,
            score=10 * (i % 10),
            submitted_at=now,
        )
        CriterionScore.objects.create(review=review, criterion=criterion, value=i % 10)
        RoundEntry.objects.create(
            round=source, case=case, result=EntryResult.ADVANCED, decided_at=now
        )
        cases.append(case.pk)
    PublicVoteSettings.objects.create(
        round=vote_round,
        source_round=source,
        votes_per_day=args.votes,
        votes_per_case=1,
        expert_weight=70,
        public_weight=30,
    )
    organiser = User.objects.create_user(email="bench-organiser@example.org", password=None)
    public_vote_open(round=vote_round, by=organiser)
    sessions = []
    for i in range(args.voters):
        voter = voter_for_identifier_hash(
            identifier_hash=identifier_hash("email", f"voter{i}@bench.example.org"), kind="email"
        )
        session = SessionStore()
        session["public_voter_id"] = voter.pk
        session.create()
        sessions.append(session.session_key)
    return vote_round, cases, sessions


def wait_for(port, proc, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def build_requests(args, round_pk, cases, sessions):
    """Every voter's requests as bytes, built before the clock starts: `votes` POSTs to
    distinct cases, then one more (beyond the daily limit: must be refused). Each is a real
    form POST with the session cookie and a CSRF token (cookie and field)."""
    jobs = []
    for index, key in enumerate(sessions):
        token = secrets.token_hex(16)  # an unmasked 32-character CSRF secret
        body = urlencode({"csrfmiddlewaretoken": token}).encode()
        head = (
            f"Host: 127.0.0.1:{args.port}\r\n"
            f"Cookie: sessionid={key}; csrftoken={token}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
            "User-Agent: bench-votes\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode()
        targets = [cases[(index + k) % len(cases)] for k in range(args.votes + 1)]
        jobs.append(
            [
                f"POST /vote/{round_pk}/cases/{case_pk}/ HTTP/1.1\r\n".encode() + head + body
                for case_pk in targets
            ]
        )
    return jobs


class Connection:
    """A keep-alive HTTP/1.1 connection that sends prepared bytes and reads the status and
    the body (by Content-Length) of each answer: cheaper than http.client, so that the
    client's CPU does not crowd out the server's on a 2-core machine."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buffer = b""

    def request(self, data):
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.buffer = b""
        self.sock.sendall(data)
        while b"\r\n\r\n" not in self.buffer:
            self._read()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        while len(self.buffer) < length:
            self._read()
        self.buffer = self.buffer[length:]
        if close:
            self.close()
        return status

    def _read(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buffer += chunk

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def run_load(args, jobs):
    """Every voter's requests as one job per voter; returns (accepted latencies, refused,
    failures, wall seconds)."""
    queue_ = queue.Queue()
    for requests in jobs:
        queue_.put(requests)
    accepted, refused, failed = [], [0], []
    lock = threading.Lock()

    def worker():
        conn = Connection(args.port)
        while True:
            try:
                requests = queue_.get_nowait()
            except queue.Empty:
                conn.close()
                return
            for number, data in enumerate(requests):
                started = time.perf_counter()
                try:
                    status = conn.request(data)
                except OSError as error:
                    conn.close()
                    status = f"error {error}"
                elapsed = time.perf_counter() - started
                expected = 303 if number < args.votes else 409
                with lock:
                    if status == 303 and expected == 303:
                        accepted.append(elapsed)
                    elif status == 409 and expected == 409:
                        refused[0] += 1
                    else:
                        failed.append((number, status))

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return accepted, refused[0], failed, time.perf_counter() - started


def process_cpu_seconds(pid, children=True):
    """User + system CPU seconds of a process and of its (gunicorn worker) children."""
    ticks = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        if children:
            found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pids += [int(child) for child in found]
    except OSError:
        pass
    total = 0
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def postgres_cpu_seconds(args):
    """CPU seconds per PostgreSQL backend serving the benchmark's database (pid → seconds);
    other databases on the same server (other users of the machine) are not counted."""
    import psycopg

    with psycopg.connect(f"{args.server}/postgres", autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [args.database]
            )
        ]
    return {pid: process_cpu_seconds(pid, children=False) for pid in pids}


def machine_busy_seconds():
    """CPU seconds the whole machine spent busy (every process, ours or not)."""
    ticks = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / ticks


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--voters", type=int, default=400)
    parser.add_argument("--votes", type=int, default=5, help="votes per voter (the daily limit)")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="bench_votes")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()

    recreate_database(args)
    os.environ.update(server_env(args))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import cache

    cache.clear()  # database 6 is this benchmark's
    round_, cases, sessions = build(args)
    from django.db import connections

    connections.close_all()

    load_before = os.getloadavg()
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(args.threads),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env(args),
    )
    try:
        wait_for(args.port, gunicorn)
        jobs = build_requests(args, round_.pk, cases, sessions)
        app_before, busy_before = process_cpu_seconds(gunicorn.pid), machine_busy_seconds()
        pg_before = postgres_cpu_seconds(args)
        client_before = time.process_time()
        accepted, refused, failed, seconds = run_load(args, jobs)
        load_after = os.getloadavg()
        app_cpu = process_cpu_seconds(gunicorn.pid) - app_before
        busy = machine_busy_seconds() - busy_before
        client_cpu = time.process_time() - client_before
        pg_after = postgres_cpu_seconds(args)
        pg_cpu = sum(cpu - pg_before.get(pid, 0) for pid, cpu in pg_after.items())
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    from django.db.models import Count, Max

    from judging.voting.models import PublicVote

    stored = PublicVote.objects.filter(round=round_).count()
    most = (
        PublicVote.objects.filter(round=round_)
        .values("voter")
        .annotate(n=Count("pk"))
        .aggregate(m=Max("n"))["m"]
    )
    expected = args.voters * args.votes
    print(
        f"machine: {os.cpu_count()} cores; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f} (1 min)"
    )
    print(
        f"gunicorn: {args.workers} gthread workers × {args.threads} threads; "
        f"client: {args.concurrency} threads; CAPTCHA and rate limits off"
    )
    print(
        f"voters {args.voters} × {args.votes} votes (+1 beyond the limit each), {len(cases)} cases"
    )
    print(
        f"accepted {len(accepted)} in {seconds:.2f} s = "
        f"{len(accepted) / seconds:.0f} accepted votes/s "
        f"({(len(accepted) + refused) / seconds:.0f} requests/s)"
    )
    if accepted:
        print(
            f"latency of accepted votes: p50 {percentile(accepted, 50) * 1000:.1f} ms, "
            f"p99 {percentile(accepted, 99) * 1000:.1f} ms, "
            f"mean {statistics.fmean(accepted) * 1000:.1f} ms"
        )
    requests = len(accepted) + refused + len(failed)
    print(
        f"CPU per request: gunicorn {app_cpu * 1000 / requests:.2f} ms, PostgreSQL "
        f"{pg_cpu * 1000 / requests:.2f} ms (its backends for this database), this client "
        f"{client_cpu * 1000 / requests:.2f} ms"
    )
    print(
        f"the machine was busy {busy:.1f} of {seconds * (os.cpu_count() or 1):.1f} "
        f"core-seconds: gunicorn {app_cpu:.1f}, PostgreSQL {pg_cpu:.1f}, this client "
        f"{client_cpu:.1f}, the rest {busy - app_cpu - pg_cpu - client_cpu:.1f} (Redis and "
        f"other users of the machine)"
    )
    own = (app_cpu + pg_cpu + client_cpu) / requests
    if own > 0:
        ceiling = (os.cpu_count() or 1) / own
        print(
            f"CPU-bound ceiling (an estimate, not a measurement): the benchmark's processes used "
            f"{own * 1000:.2f} ms of CPU per request, so the machine's cores alone would serve "
            f"about {ceiling:.0f} requests/s = {ceiling * args.votes / (args.votes + 1):.0f} "
            f"accepted votes/s (Redis and waiting not counted)"
        )
    print(
        f"refused beyond the limit: {refused} of {args.voters} expected; "
        f"failed requests: {len(failed)}" + (f" (first: {failed[:3]})" if failed else "")
    )
    lost = len(accepted) - stored
    print(
        f"stored {stored}, accepted {len(accepted)}, expected {expected}: "
        f"{max(lost, 0)} lost, {max(-lost, 0)} double-counted; most votes of one voter {most} "
        f"(limit {args.votes})"
    )
    ok = (
        stored == len(accepted) == expected and refused == args.voters and (most or 0) <= args.votes
    )
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

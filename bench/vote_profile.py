"""One vote POST through the whole middleware stack, in process: its SQL queries, cache
round trips and CPU time, and a cProfile of the hot path. Deterministic where the HTTP
benchmark (bench/votes.py) is not: it does not depend on what else runs on the machine.

    .venv/bin/python bench/vote_profile.py --database bench_votes_profile --votes 200

Same settings as bench/votes.py's gunicorn (PostgreSQL, Redis sessions and cache, DEBUG off,
CAPTCHA and rate limits off unless `--rate-limits`); the round and voters are built the same
way. The request goes through Django's WSGI handler (what gunicorn calls), with the session
and CSRF cookies and the CSRF token a browser would send.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.votes import (  # noqa: E402
    build,
    postgres_cpu_seconds,
    recreate_database,
    server_env,
)


def environ(path, session_key, token, body):
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8771",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8771",
        "HTTP_COOKIE": f"sessionid={session_key}; csrftoken={token}",
        "HTTP_USER_AGENT": "vote-profile",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


class Statements(list):
    """The SQL statements run on `connection` inside the block (an execute wrapper: Django's
    CaptureQueriesContext loses them when the request's start resets the query log)."""

    def __init__(self, connection):
        super().__init__()
        self.connection = connection

    def __call__(self, execute, sql, params, many, context):
        self.append(" ".join(sql.split()))
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = self.connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="bench_votes_profile")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--votes", type=int, default=200, help="timed vote POSTs")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--rate-limits", action="store_true", help="per-IP and /24 limits on")
    parser.add_argument("--top", type=int, default=35, help="cProfile lines to print")
    parser.add_argument("--profile-refused", action="store_true", help="cProfile a 409")
    parser.add_argument("--sql", action="store_true", help="print the queries of one vote")
    parser.add_argument("--callees", default="", help="callees of functions matching")
    args = parser.parse_args()
    args.threads, args.votes_per_voter = 4, 5
    voters = (2 * args.votes + 10) // args.votes_per_voter + 45

    recreate_database(args)
    os.environ.update(server_env(args))
    if args.rate_limits:
        os.environ.update(PUBLIC_VOTE_RATE_IP="100000/m", PUBLIC_VOTE_RATE_NETWORK="100000/m")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.cache import cache, caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    cache.clear()
    build_args = argparse.Namespace(cases=args.cases, voters=voters, votes=args.votes_per_voter)
    round_, cases, sessions = build(build_args)
    handler = WSGIHandler()

    def post(number, k=None):
        """The number-th vote of the run (voter, k from it), or voter `number`'s k-th."""
        voter, k = divmod(number, args.votes_per_voter) if k is None else (number, k)
        case = cases[(voter + k) % len(cases)]
        token = secrets.token_hex(16)
        body = f"csrfmiddlewaretoken={token}".encode()
        env = environ(f"/vote/{round_.pk}/cases/{case}/", sessions[voter], token, body)
        status = []
        chunks = handler(env, lambda s, h, exc_info=None: status.append((s, h)))
        b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return status[0]

    # Cache round trips: django-redis' client calls, counted by wrapping its methods.
    redis_calls = []
    for alias in ("default", "sessions"):
        client = caches[alias].client
        for name in ("get", "set", "add", "delete", "incr", "get_many", "set_many", "touch"):
            original = getattr(client, name, None)
            if original is None:
                continue

            def counted(*a, _name=name, _alias=alias, _original=original, **kw):
                redis_calls.append(f"{_alias}.{_name}")
                return _original(*a, **kw)

            setattr(client, name, counted)

    for number in range(3):  # warm: URL resolver, templates, translations, connections
        post(number)
    redis_calls.clear()
    with Statements(connection) as one:
        status, headers = post(3)
    one_redis = list(redis_calls)
    print(
        f"one vote: {status}, {len(one)} SQL queries, "
        f"{len(one_redis)} cache calls ({', '.join(one_redis)})"
    )
    print(f"response headers: {', '.join(name for name, _ in headers)}")
    if args.sql:
        for sql in one:
            print("  ", sql[:300])

    # The vote beyond the daily limit (each voter's sixth): refused with 409 and the page.
    refused_voters = range(voters - 41, voters)
    for voter in refused_voters:
        for k in range(args.votes_per_voter):
            post(voter, k)
    post(refused_voters[0], args.votes_per_voter)  # warm: the page's templates
    with Statements(connection) as refused:
        status, _ = post(refused_voters[1], args.votes_per_voter)
    cpu = time.process_time()
    refused_profile = cProfile.Profile(time.process_time)
    for voter in refused_voters[2:]:
        if args.profile_refused:
            refused_profile.runcall(post, voter, args.votes_per_voter)
        else:
            post(voter, args.votes_per_voter)
    cpu = (time.process_time() - cpu) / (len(refused_voters) - 2)
    print(
        f"refused vote: {status}, {len(refused)} SQL queries, "
        f"CPU {cpu * 1000:.2f} ms per refused vote"
    )
    if args.sql:
        for sql in refused:
            print("  ", sql[:200])
    if args.profile_refused:
        out = io.StringIO()
        pstats.Stats(refused_profile, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())

    first = 5
    pg_before = postgres_cpu_seconds(args)
    cpu, wall = time.process_time(), time.perf_counter()
    statuses = [post(n)[0] for n in range(first, first + args.votes)]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    pg_after = postgres_cpu_seconds(args)
    pg_cpu = sum(used - pg_before.get(pid, 0) for pid, used in pg_after.items())
    accepted = sum(s.startswith("303") for s in statuses)
    print(
        f"{args.votes} votes ({accepted} answered 303): CPU {cpu * 1000 / args.votes:.2f} ms "
        f"per vote in this process, {pg_cpu * 1000 / args.votes:.2f} ms in PostgreSQL; wall "
        f"{wall * 1000 / args.votes:.2f} ms"
    )

    profiler = cProfile.Profile(time.process_time)  # CPU: waits on the DB are not counted
    base = first + args.votes
    profiler.enable()
    for n in range(base, base + args.votes):
        post(n)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(args.top)
    print(f"Python function calls per vote: {stats.total_calls / args.votes:.0f}")
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    if args.callees:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_callees(args.callees)
        print(out.getvalue())
    connection.close()


if __name__ == "__main__":
    main()

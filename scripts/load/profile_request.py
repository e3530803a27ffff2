"""Where one request of the `make load` mix spends its time, measured in-process (no HTTP, no locust), so
the figures do not depend on what else the machine runs.

    DATABASE_URL=postgres://…/db DEBUG=0 … python scripts/load/profile_request.py [--requests 200]
        [--endpoint prescreen] [--profile] [--sql]
    valgrind --tool=callgrind --instr-atstart=no python …/profile_request.py --callgrind --requests 20

It needs a database with the demo bank (`seed_demo`) and the production environment `scripts/load/run.sh`
exports. For each endpoint it prints the SQL queries per request (and how many of them open a
transaction, set a variable or touch the session table), the median and p99 of the in-process time and,
the CPU time of this process per request; with --profile, the top functions of a cProfile run by
cumulative time; with --sql, the statements of one request. Under callgrind (--callgrind) it also counts
the CPU instructions per request, a figure the other processes on the machine do not change (wall and
CPU times do: a busy machine stretches both). The requests go through the whole middleware stack (Django's
test client), including the bearer-token check and the session lookup, and write what they write (the
pre-screen log rows stay: use a throw-away database)."""

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lendpilot.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from lendpilot.org.services import api_token_issue  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mix import prescreen_body  # noqa: E402

logger = logging.getLogger("lendpilot.load")


def signed_in_client(username: str) -> Client:
    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend"))
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    client = Client(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


def endpoints(rng: random.Random):
    manager = get_user_model().objects.get(username="am_demo")
    _token, secret = api_token_issue(actor=None, user=manager, name="profile", days=1)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {secret}")
    director = signed_in_client("director")
    listing = director.get("/api/v1/lending/applications?limit=20")
    ids = [row["id"] for row in listing.json()] or [0]
    return {
        "prescreen": lambda: api.post("/api/v1/prescreen", data=prescreen_body(rng), content_type="application/json"),
        "applications (API list)": lambda: director.get("/api/v1/lending/applications?limit=20"),
        "applications (page)": lambda: director.get("/lending/"),
        "application (page)": lambda: director.get(f"/lending/applications/{rng.choice(ids)}/"),
        "command centre": lambda: director.get("/insights/"),
        "kanban": lambda: director.get("/sales/"),
    }


class QueryLog(list):
    """An execute wrapper that keeps the SQL of each statement (also outside DEBUG)."""

    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def query_kinds(queries: list[str]) -> dict[str, int]:
    kinds = {"total": len(queries), "transaction": 0, "set": 0, "session": 0, "write": 0}
    for query in queries:
        sql = query.lstrip().upper()
        if sql.startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT", "ROLLBACK")):
            kinds["transaction"] += 1
        elif sql.startswith("SET"):
            kinds["set"] += 1
        elif sql.startswith(("INSERT", "UPDATE", "DELETE")):
            kinds["write"] += 1
        if "DJANGO_SESSION" in sql:
            kinds["session"] += 1
    return kinds


def backend_cpu_seconds() -> float | None:
    """The CPU time of this connection's PostgreSQL backend process, when the server runs on this machine
    (None otherwise): what the statements of a request cost the database, in clock ticks of /proc."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # utime and stime are fields 14 and 15 of proc(5); the split starts at field 3
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def callgrind(*command: str) -> None:
    """Send a command to the callgrind tool this process runs under. Spin rather than wait: callgrind reads
    its commands between basic blocks, which a process blocked in waitpid() would not run."""
    import shutil
    import subprocess

    control = shutil.which("callgrind_control") or "callgrind_control"
    proc = subprocess.Popen([control, *command, str(os.getpid())], stdout=subprocess.DEVNULL)  # noqa: S603
    while proc.poll() is None:
        pass


def callgrind_instructions(name: str, call, requests: int) -> int:
    """Instructions of `requests` calls, under `valgrind --tool=callgrind --instr-atstart=no` started in the
    current directory (dumps callgrind.out.<pid>.<n>; `callgrind_annotate` shows where they went). Includes
    the switching on and off, which `overhead` (no calls) measures once."""
    before = set(Path.cwd().glob(f"callgrind.out.{os.getpid()}.*"))
    callgrind("--zero")
    callgrind("--instr=on")
    for _ in range(requests):
        call()
    callgrind("--instr=off")
    callgrind(f"--dump={name}")
    for dump in set(Path.cwd().glob(f"callgrind.out.{os.getpid()}.*")) - before:
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit("no callgrind dump: run under valgrind --tool=callgrind --instr-atstart=no")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--endpoint", action="append", help="only these endpoints (repeatable)")
    parser.add_argument("--profile", action="store_true", help="print the top functions of a cProfile run")
    parser.add_argument("--callgrind", action="store_true",
                        help="under valgrind --tool=callgrind --instr-atstart=no: one dump per endpoint")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--sort", default="cumulative", help="the cProfile order: cumulative, tottime, ncalls…")
    parser.add_argument("--sql", action="store_true", help="print the SQL of one request")
    args = parser.parse_args()
    rng = random.Random(42)
    calls = endpoints(rng)
    overhead = callgrind_instructions("overhead", lambda: None, 0) if args.callgrind else 0
    for name, call in calls.items():
        if args.endpoint and name not in args.endpoint:
            continue
        for _ in range(20):  # warm: imports, compiled scorecard, template loaders, the connection
            response = call()
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code} {response.content[:300]!r}")
        captured = QueryLog()
        with connection.execute_wrapper(captured):
            call()
        times = []
        backend_started = backend_cpu_seconds()
        cpu_started = time.process_time()
        for _ in range(args.requests):
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
        cpu_seconds = time.process_time() - cpu_started
        times.sort()
        row = {"endpoint": name, "queries": query_kinds(captured),
               "p50_ms": round(statistics.median(times), 2), "p99_ms": round(times[int(len(times) * 0.99) - 1], 2)}
        row["cpu_ms"] = round(cpu_seconds * 1000 / args.requests, 2)
        backend_ended = backend_cpu_seconds()
        if backend_started is not None and backend_ended is not None:
            row["postgresql_cpu_ms"] = round((backend_ended - backend_started) * 1000 / args.requests, 2)
        if args.callgrind:
            counted = callgrind_instructions(name.split()[0], call, args.requests) - overhead
            row["instructions_per_request"] = counted // args.requests
        print(json.dumps(row, ensure_ascii=False), flush=True)
        if args.sql:
            print("\n".join(f"  {sql[:400]}" for sql in captured), flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.requests):
                call()
            profiler.disable()
            if os.environ.get("PROFILE_DUMP"):
                profiler.dump_stats(os.environ["PROFILE_DUMP"])
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(args.sort).print_stats(args.top)
            print(text.getvalue(), flush=True)


if __name__ == "__main__":
    main()

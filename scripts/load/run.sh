#!/usr/bin/env bash
# `make load`: the locust load of scripts/load/locustfile.py against the production set-up on this machine,
# loopback only and bounded in time: a fresh PostgreSQL database with the demo bank, the web processes of
# scripts/web.sh as docs/deploy.md sizes them, LOAD_USERS users at one request a second each on average
# (default 200 req/s) for LOAD_SECONDS (default 300). Prints p50/p99 and errors per endpoint, the CPU the
# web workers and PostgreSQL spent per request, and what else ran on the machine; drops the database.
#   LOAD_MIX       day (default: channels' pre-screens and LOAD_STAFF_USERS staff at their pages, default 20)
#                  | prescreen (pre-screens only) | desk (BankUser: 11 page requests in 23)
#   LOAD_SCALE     tiny|small (default small)          LOAD_DATABASE  an existing seeded database to reuse
#   LOAD_WORKERS   web worker processes (default cores + 1)  LOAD_THREADS  threads per worker (default 2)
#   LOAD_POOL      psycopg pool size per worker (default 0: one persistent connection, CONN_MAX_AGE=60)
#   LOAD_LOCUST_PROCESSES  locust worker processes (default 1)
#   LOAD_WARMUP    seconds of the same load before the figures start (default 30)
#   LOAD_PAGE_WORKERS  (default 2 for the day and desk mixes, 0 for prescreen) above 0: a second set of web
#                  processes, that many workers, serves the pages (everything
#                  outside /api/) at CPU priority LOAD_PAGE_NICE (default 10), as a proxy in front would route
#                  them (docs/deploy.md, "API and pages apart"); the first set then serves only /api/
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=.venv/bin
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
users=${LOAD_USERS:-200}
seconds=${LOAD_SECONDS:-300}
scale=${LOAD_SCALE:-small}
cores=$(nproc)
for name in LOAD_USERS LOAD_SECONDS LOAD_WARMUP LOAD_WORKERS LOAD_THREADS LOAD_PAGE_WORKERS LOAD_PAGE_NICE; do
  value=${!name:-1}
  [[ "$value" =~ ^[0-9]+$ ]] || { echo "$name is a whole number, not '$value'" >&2; exit 2; }
done
case "${LOAD_MIX:-day}" in
  day) user_class="ChannelUser StaffUser" ;;
  prescreen) user_class=ChannelUser ;;
  desk) user_class=BankUser ;;
  *) echo "LOAD_MIX is day, prescreen or desk" >&2; exit 2 ;;
esac
db=${LOAD_DATABASE:-"lp_load_$$"}
work=$(mktemp -d)
server=""
pages=""
cleanup() {
  for pid in $server $pages; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  [ -n "${LOAD_DATABASE:-}" ] || dropdb --if-exists "$db" || true
  mkdir -p var/load && cp "$work"/*.log "$work"/*.csv var/load/ 2>/dev/null || true  # for a look afterwards
  rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0 DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${db}" CONN_MAX_AGE=60
export DATABASE_POOL_SIZE=${LOAD_POOL:-0}
export SECRET_KEY="load-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
if [ -z "${LOAD_DATABASE:-}" ] || [ -z "${LENDPILOT_FIELD_KEYS:-}" ]; then
  # A reused database needs the keys it was seeded with (PII at rest, hashes, audit chain) in the environment.
  LENDPILOT_FIELD_KEYS=$($BIN/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
  LENDPILOT_HASH_KEY=$($BIN/python -c 'import secrets; print(secrets.token_hex(32))')
  LENDPILOT_AUDIT_KEY=$($BIN/python -c 'import secrets; print(secrets.token_hex(32))')
fi
export LENDPILOT_FIELD_KEYS LENDPILOT_HASH_KEY LENDPILOT_AUDIT_KEY
# production settings over plain HTTP on the loopback
export SECURE_SSL_REDIRECT=0 LENDPILOT_SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1 SECURE_HSTS_SECONDS=0
export TASKS_BACKEND=django_tasks_db.DatabaseBackend
export PROMETHEUS_MULTIPROC_DIR="$work/prometheus"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"

if [ -z "${LOAD_DATABASE:-}" ]; then
  echo "--- database ${db}, demo bank (${scale})"
  createdb "$db"
  $BIN/python manage.py migrate --noinput -v 0
  $BIN/python manage.py seed_demo --scale "$scale" --seed 42 --no-progress > "$work/seed.log"
else
  echo "--- database ${db} (reused)"
  $BIN/python manage.py migrate --noinput -v 0
fi
# The secret is the last line of stdout (log lines may come before it).
LOAD_TOKEN=$($BIN/python manage.py issue_api_token am_demo --name "load test" --days 1 2>/dev/null | tail -n 1)
# One signed-in session for every simulated user: 200 logins at once would measure password hashing.
LOAD_SESSION=$($BIN/python manage.py shell --no-imports -c "
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username='director')
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = next(b for b in settings.AUTHENTICATION_BACKENDS if b.endswith('ModelBackend'))
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)" | tail -n 1)
export LOAD_TOKEN LOAD_SESSION
$BIN/python manage.py collectstatic --noinput -v 0

port=$((30000 + $$ % 20000))
export WEB_BIND="127.0.0.1:${port}" WEB_CONCURRENCY=${LOAD_WORKERS:-$((cores + 1))} WEB_THREADS=${LOAD_THREADS:-2}
echo "--- granian (scripts/web.sh): ${WEB_CONCURRENCY} workers x ${WEB_THREADS} threads on ${WEB_BIND}, pool ${DATABASE_POOL_SIZE}"
# The application's log lines (token use, security) go to a file, as a process manager would collect them.
bash scripts/web.sh > "$work/django.log" 2> "$work/web.log" &
server=$!
# The mixes with pages serve them apart by default, as docs/deploy.md recommends; 0 serves all from one set.
default_page_workers=2
[ "${LOAD_MIX:-day}" = prescreen ] && default_page_workers=0
page_workers=${LOAD_PAGE_WORKERS:-$default_page_workers}
LOAD_PAGES_HOST=""
if [ "$page_workers" -gt 0 ]; then
  page_port=$((port + 1))
  page_nice=${LOAD_PAGE_NICE:-10}
  echo "--- granian for the pages: ${page_workers} workers x ${WEB_THREADS} threads on 127.0.0.1:${page_port}, nice ${page_nice}"
  WEB_BIND="127.0.0.1:${page_port}" WEB_CONCURRENCY=$page_workers nice -n "$page_nice" bash scripts/web.sh \
    > "$work/django-pages.log" 2> "$work/web-pages.log" &
  pages=$!
  LOAD_PAGES_HOST="http://127.0.0.1:${page_port}"
fi
export LOAD_PAGES_HOST
for address in "127.0.0.1:${port}" ${LOAD_PAGES_HOST:+"127.0.0.1:${page_port}"}; do
  for _ in $(seq 1 240); do
    curl -fsS "http://${address}/readyz" > /dev/null 2>&1 && break
    for pid in $server $pages; do kill -0 "$pid" || { cat "$work"/web*.log; exit 1; }; done
    sleep 0.5
  done
done
# CPU seconds (user + system) of a process, its live children and its reaped children, from /proc.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{ s += ($14 + $15 + $16 + $17) / hz } END { printf "%.2f", s }' "$@" 2>/dev/null || echo 0; }
tree_cpu() { cpu_of "/proc/$1/stat" $(for p in $(pgrep -P "$1"); do echo "/proc/$p/stat"; done); }
# PostgreSQL: the postmaster with every backend and background process, including backends that have exited
# (connections are replaced after CONN_MAX_AGE).
postmaster=$(pgrep -o -x postgres || true)
db_cpu() { if [ -n "$postmaster" ]; then tree_cpu "$postmaster"; else echo 0; fi; }

echo "--- machine before the run: $(uptime | sed 's/.*load average/load average/'), ${cores} cores; busiest processes:"
ps -eo pcpu,comm --sort=-pcpu | sed -n 2,8p | awk '{ printf "    %s%% %s\n", $1, $2 }'
# The first LOAD_WARMUP seconds of the run warm every worker (imports, compiled templates and scorecard, each
# thread's database connection) and let locust create its users, which blocks its own event loop for a
# moment; the figures are reset after them (locustfile.py, `count_after_warm_up`), so they are the steady
# state of a running bank, not the first seconds after a restart.
warmup=${LOAD_WARMUP:-30}
export LOAD_WARMUP=$warmup
echo "--- locust (${user_class}): ${users} users x 1 req/s (Poisson) for ${seconds} s after a ${warmup} s warm-up"
$BIN/locust -f scripts/load/locustfile.py --headless --host "http://127.0.0.1:${port}" --users "$users" \
  --spawn-rate "$users" --run-time "$((warmup + seconds))s" --csv "$work/load" --only-summary --loglevel WARNING \
  --processes "${LOAD_LOCUST_PROCESSES:-1}" $user_class \
  > "$work/locust.log" 2>&1 &   # locust exits 1 when any request failed; the table below shows them
generator=$!
sleep "$warmup"
pages_cpu() { if [ -n "$pages" ]; then tree_cpu "$pages"; else echo 0; fi; }
web_cpu() { awk -v a="$(tree_cpu "$server")" -v b="$(pages_cpu)" 'BEGIN { printf "%.2f", a + b }'; }
pages_before=$(pages_cpu)
web_before=$(web_cpu); db_before=$(db_cpu); locust_before=$(tree_cpu "$generator")
# Read the CPU a moment before locust stops (its processes are gone afterwards).
sleep "$((seconds > 2 ? seconds - 1 : seconds))"
pages_after=$(pages_cpu)
web_after=$(web_cpu); db_after=$(db_cpu); locust_after=$(tree_cpu "$generator")
wait "$generator" || true
echo "--- machine after the run: $(uptime | sed 's/.*load average/load average/')"

$BIN/python - "$work/load_stats.csv" "$users" "$web_before" "$web_after" "$db_before" "$db_after" \
  "$locust_before" "$locust_after" "$seconds" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
target = float(sys.argv[2])
# The CPU was read over all but the last second of the counted run: scale it to the whole run.
seconds = float(sys.argv[9])
scale = seconds / (seconds - 1) if seconds > 2 else 1.0
web = (float(sys.argv[4]) - float(sys.argv[3])) * scale
db = (float(sys.argv[6]) - float(sys.argv[5])) * scale
generator = (float(sys.argv[8]) - float(sys.argv[7])) * scale
print(f"{'endpoint':28} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8}")
for r in rows:
    name = r["Name"] if r["Name"] != "Aggregated" else "all"
    print(f"{name:28} {r['Request Count']:>9} {r['Failure Count']:>7} {float(r['Requests/s']):>7.1f} "
          f"{r['50%']:>7} {r['99%']:>7} {float(r['Max Response Time']):>8.0f}")
total = int(rows[-1]["Request Count"]) if rows else 0
if total:
    print(f"CPU per request: web workers {1000 * web / total:.2f} ms, PostgreSQL {1000 * db / total:.2f} ms, "
          f"locust {1000 * generator / total:.2f} ms ({web:.0f} s, {db:.0f} s and {generator:.0f} s over {total} requests)")
achieved = float(rows[-1]["Requests/s"]) if rows else 0.0
if achieved < 0.9 * target:
    print(f"WARNING: the server kept up with {achieved:.0f} of {target:.0f} req/s: the figures are queueing, "
          f"not service time (is the machine busy? `uptime`)")
PY
if [ -n "$pages" ]; then
  echo "--- of the web workers' CPU, the page processes spent $(awk -v a="$pages_before" -v b="$pages_after" 'BEGIN { printf "%.0f", b - a }') s"
fi
if [ -s "$work/load_failures.csv" ] && [ "$(wc -l < "$work/load_failures.csv")" -gt 1 ]; then
  echo "--- failures"
  cat "$work/load_failures.csv"
fi

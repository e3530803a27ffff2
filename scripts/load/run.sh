#!/usr/bin/env bash
# `make load`: the locust mix of scripts/load/locustfile.py against the production set-up on this machine,
# loopback only and bounded in time: a fresh PostgreSQL database with the demo bank, gunicorn as
# docs/deploy.md sizes it, LOAD_USERS users at one request per second each (default 200 req/s) for
# LOAD_SECONDS (default 300). Prints p50/p99 and errors per endpoint; drops the database afterwards.
#   LOAD_SCALE (tiny|small, default small), LOAD_WORKERS (default 2 x cores), LOAD_THREADS (default 1)
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
workers=${LOAD_WORKERS:-$((2 * cores))}
threads=${LOAD_THREADS:-1}
db="lp_load_$$"
work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  dropdb --if-exists "$db" || true
  mkdir -p var/load && cp "$work"/*.log "$work"/*.csv var/load/ 2>/dev/null || true  # for a look afterwards
  rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=0 DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${db}" CONN_MAX_AGE=60
export SECRET_KEY="load-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LENDPILOT_FIELD_KEYS=$($BIN/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
LENDPILOT_HASH_KEY=$($BIN/python -c 'import secrets; print(secrets.token_hex(32))')
LENDPILOT_AUDIT_KEY=$($BIN/python -c 'import secrets; print(secrets.token_hex(32))')
export LENDPILOT_FIELD_KEYS LENDPILOT_HASH_KEY LENDPILOT_AUDIT_KEY
# production settings over plain HTTP on the loopback
export SECURE_SSL_REDIRECT=0 LENDPILOT_SECURE_COOKIES=0 ALLOWED_HOSTS=127.0.0.1 SECURE_HSTS_SECONDS=0
export TASKS_BACKEND=django_tasks_db.DatabaseBackend

echo "--- database ${db}, demo bank (${scale})"
createdb "$db"
$BIN/python manage.py migrate --noinput -v 0
$BIN/python manage.py seed_demo --scale "$scale" --seed 42 --no-progress > "$work/seed.log"
LOAD_TOKEN=$($BIN/python manage.py issue_api_token am_demo --name "load test" --days 1 2>/dev/null)
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
echo "--- gunicorn: ${workers} workers x ${threads} threads on 127.0.0.1:${port}"
worker_class=sync
[ "$threads" -gt 1 ] && worker_class=gthread
$BIN/gunicorn lendpilot.wsgi:application --bind "127.0.0.1:${port}" --workers "$workers" --threads "$threads" \
  --worker-class "$worker_class" --access-logfile /dev/null --error-logfile "$work/gunicorn.log" \
  2> "$work/django.log" &
server=$!
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:${port}/readyz" > /dev/null 2>&1 && break
  kill -0 "$server" || { cat "$work/gunicorn.log"; exit 1; }
  sleep 0.5
done

echo "--- locust: ${users} users x 1 req/s for ${seconds} s"
$BIN/locust -f scripts/load/locustfile.py --headless --host "http://127.0.0.1:${port}" --users "$users" \
  --spawn-rate "$users" --run-time "${seconds}s" --csv "$work/load" --only-summary --loglevel WARNING \
  > "$work/locust.log" 2>&1 || true   # locust exits 1 when any request failed; the table below shows them

$BIN/python - "$work/load_stats.csv" "$users" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
target = float(sys.argv[2])
print(f"{'endpoint':28} {'requests':>9} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8}")
failed = 0
for r in rows:
    name = r["Name"] if r["Name"] != "Aggregated" else "all"
    failed += int(r["Failure Count"]) if name != "all" else 0
    print(f"{name:28} {r['Request Count']:>9} {r['Failure Count']:>7} {float(r['Requests/s']):>7.1f} "
          f"{r['50%']:>7} {r['99%']:>7} {float(r['Max Response Time']):>8.0f}")
achieved = float(rows[-1]["Requests/s"]) if rows else 0.0
if achieved < 0.9 * target:
    print(f"WARNING: the server kept up with {achieved:.0f} of {target:.0f} req/s: the figures are queueing, "
          f"not service time (is the machine busy? `uptime`)")
PY
if [ -s "$work/load_failures.csv" ] && [ "$(wc -l < "$work/load_failures.csv")" -gt 1 ]; then
  echo "--- failures"
  cat "$work/load_failures.csv"
fi

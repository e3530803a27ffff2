#!/usr/bin/env bash
# Scale-out smoke test on PostgreSQL (docs/deploy.md): two web processes (scripts/web.sh, two granian
# workers each), two task workers (db_worker), one long-running scheduler, and the day's jobs triggered by
# two schedulers at once for one business date. Checks that every daily job was enqueued and ran exactly once, successfully, that both
# web processes answer /readyz (database, migrations, scheduler heartbeat), and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
db="lp_smoke_$$"
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb --if-exists "$db" || true
  rm -rf "$work"
}
trap cleanup EXIT

export DEBUG=1 DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${db}" CONN_MAX_AGE=60
export TASKS_BACKEND=django_tasks_db.DatabaseBackend LENDPILOT_READY_REQUIRES_SCHEDULER=1
export PROMETHEUS_MULTIPROC_DIR="$work/prometheus"
mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
createdb "$db"
$BIN/python manage.py migrate --noinput -v 0
day=$($BIN/python manage.py shell -c "from datetime import timedelta; from django.utils import timezone; print(timezone.localdate() - timedelta(days=1))" 2>/dev/null | tail -n 1)
echo "--- business date ${day}"

base=$((20000 + $$ % 20000))
for n in 1 2; do
  WEB_BIND="127.0.0.1:$((base + n))" WEB_CONCURRENCY=2 WEB_THREADS=2 bash scripts/web.sh > "$work/web$n.log" 2>&1 &
  pids+=($!)
  $BIN/python manage.py db_worker --no-startup-delay --interval 0.5 --worker-id "smoke-worker-$n" \
    > "$work/worker$n.log" 2>&1 &
  pids+=($!)
done
$BIN/python manage.py run_scheduler > "$work/scheduler.log" 2>&1 &
pids+=($!)

alive() {
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "FAIL: a process died; its logs:" >&2
      tail -n 20 "$work"/*.log >&2
      exit 1
    fi
  done
}

for n in 1 2; do
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$((base + n))/healthz" > /dev/null 2>&1 && break
    alive
    sleep 0.5
  done
done

# Two schedulers fire the day at the same moment (a restart, a second replica): each job once.
$BIN/python manage.py run_scheduler --once --date "$day" > "$work/once1.log" 2>&1 &
first=$!
$BIN/python manage.py run_scheduler --once --date "$day" > "$work/once2.log" 2>&1 &
second=$!
wait "$first" || { cat "$work/once1.log"; exit 1; }
wait "$second" || { cat "$work/once2.log"; exit 1; }
cat "$work/once1.log" "$work/once2.log"

# Wait for the workers to drain the queue (they must stay up all along).
for _ in $(seq 1 300); do
  alive
  left=$(psql -X -q -A -t -d "$db" -c "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING')")
  [ "$left" = "0" ] && break
  sleep 1
done
[ "$left" = "0" ] || { echo "FAIL: ${left} tasks unfinished after 300 s" >&2; exit 1; }

CHECK="
import sys
from django_tasks_db.models import DBTaskResult
from lendpilot.core.models import ScheduledRun
from lendpilot.core.scheduling import daily_jobs
from lendpilot.monitoring.models import EodRun
day = '${day}'
jobs = daily_jobs()
bad = []
for job in jobs:
    claims = ScheduledRun.objects.filter(job=job.name, business_date=day).count()
    results = list(DBTaskResult.objects.filter(task_path=job.task.module_path,
                                               args_kwargs__kwargs__business_date=day).values_list('status', flat=True))
    print(f'{job.name:26} claims={claims} results={results}')
    if claims != 1 or results != ['SUCCESSFUL']:
        bad.append(job.name)
run = EodRun.objects.get(business_date=day)
print(f'EOD {day}: {run.status}, attempt {run.attempts}, started by {run.trigger}')
if run.status != 'completed' or run.attempts != 1:
    bad.append('eod run log')
if bad:
    sys.exit('not exactly once: ' + ', '.join(bad))
"
$BIN/python manage.py shell -c "$CHECK"

for _ in $(seq 1 30); do
  grep -q . "$work/scheduler.log" 2>/dev/null && break
  sleep 1
done
for n in 1 2; do
  ready=""
  for _ in $(seq 1 30); do
    if ready=$(curl -fsS "http://127.0.0.1:$((base + n))/readyz"); then break; fi
    sleep 1
  done
  echo "web $n /readyz: ${ready}"
  case "$ready" in *'"status": "ready"'*) ;; *) echo "FAIL: web $n not ready" >&2; exit 1 ;; esac
done
curl -fsS "http://127.0.0.1:$((base + 1))/metrics" | grep -q '^django_http_requests_latency_seconds_by_view_method_bucket' \
  || { echo "FAIL: /metrics lacks the request latency" >&2; exit 1; }
echo "scale-out smoke test: OK"

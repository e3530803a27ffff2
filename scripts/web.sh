#!/usr/bin/env bash
# The web processes (docs/deploy.md, "Web"): granian serving lendpilot.wsgi, sized from the environment so
# that one command serves every machine.
#   WEB_BIND          address to listen on (default 0.0.0.0:8000)
#   WEB_CONCURRENCY   worker processes (default cores + 1): the pages and the pre-screen are CPU-bound Python
#   WEB_THREADS       threads per worker that run the application (default 2: one serves while the other
#                     waits for the database)
#   WEB_MAX_RSS       MiB a worker may grow to before it is replaced (default 1024)
#   WEB_ACCESS_LOG    1 writes an access line per request to stdout (default off: the proxy in front logs)
#   GRANIAN           the granian executable (default .venv/bin/granian, else granian on PATH)
# Any other granian option can be set as GRANIAN_<OPTION> in the environment (`granian --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bind=${WEB_BIND:-0.0.0.0:8000}
[[ "$bind" =~ ^[^:]+:[0-9]+$ ]] || { echo "WEB_BIND is host:port (for example 0.0.0.0:8000), not '$bind'" >&2; exit 2; }
for name in WEB_CONCURRENCY WEB_THREADS WEB_MAX_RSS; do
  value=${!name:-1}
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "$name is a positive whole number, not '$value'" >&2; exit 2; }
done
granian=${GRANIAN:-}
if [ -z "$granian" ]; then
  if [ -x .venv/bin/granian ]; then granian=.venv/bin/granian; else granian=granian; fi
fi
access=--no-access-log
[ "${WEB_ACCESS_LOG:-0}" = 1 ] && access=--access-log
# One runtime thread per worker: it only moves bytes between the sockets and the application's threads.
# Granian's own I/O keeps every client's connection open without tying up an application thread, so a
# worker's threads serve whichever request is ready (a gunicorn gthread worker measured 10-20 % more CPU
# per request and two to three times the p99 on the same load: README, "Load").
exec "$granian" --interface wsgi --host "${bind%:*}" --port "${bind##*:}" \
  --workers "${WEB_CONCURRENCY:-$(($(nproc) + 1))}" --blocking-threads "${WEB_THREADS:-2}" --runtime-threads 1 \
  --no-ws --respawn-failed-workers --workers-max-rss "${WEB_MAX_RSS:-1024}" --workers-kill-timeout 30 \
  --log-level warning "$access" lendpilot.wsgi:application

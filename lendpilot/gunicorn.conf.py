"""gunicorn settings of the web processes: `gunicorn -c lendpilot/gunicorn.conf.py lendpilot.wsgi`.

Sized from the environment (docs/deploy.md, "Web: gunicorn"), so one file serves every machine:
  WEB_BIND          address to listen on (default 0.0.0.0:8000)
  WEB_CONCURRENCY   worker processes (default 2 x cores): the pages and the pre-screen are CPU-bound Python
  WEB_THREADS       threads per worker (default 2, gthread workers with keep-alive); 1 gives sync workers
  WEB_KEEPALIVE     seconds a gthread worker keeps an idle client connection open (default 5)
  WEB_ACCESS_LOG    access log file, "-" for stdout (default), "" for none
  WEB_TIMEOUT       seconds before a silent worker is restarted (default 60)
With PROMETHEUS_MULTIPROC_DIR set, the samples of a worker that exits are merged into the totals.
"""

import os

bind = os.environ.get("WEB_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1))))
threads = int(os.environ.get("WEB_THREADS", "2"))
# Threads of one process share the GIL and every request is CPU-bound, so threads add no capacity and many
# of them lengthen the tail; two let a worker keep its clients' connections open (no TCP set-up and
# tear-down per request) and serve one request while another waits for the database.
worker_class = "gthread" if threads > 1 else "sync"
keepalive = int(os.environ.get("WEB_KEEPALIVE", "5"))
timeout = int(os.environ.get("WEB_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle a worker now and then, so that memory cannot creep; the jitter keeps them from restarting together.
max_requests = 5000
max_requests_jitter = 500
# Import the project once in the master: workers fork with the code (and the compiled templates' modules)
# already in memory, start at once and share those pages.
preload_app = True
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
# The WSGI request time in microseconds (%(D)s) next to the status: enough to find a slow endpoint.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus'


def post_fork(server, worker):
    # A database connection opened in the master (by preload) must not be shared with the workers.
    from django.db import connections

    connections.close_all()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

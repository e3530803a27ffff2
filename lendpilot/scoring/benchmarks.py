"""Benchmarks of scoring (`python manage.py bench score_single score_batch prescreen_http`).

- score_single: one applicant through the compiled points table vs optbinning's own
  `Scorecard.score` on a one-row DataFrame, the same scorecard (German Credit, same binning settings
  and regression), same machine.
- score_batch: a synthetic portfolio scored column-wise with numpy, applicants per second, against
  scoring the same applicants one by one.
- prescreen_http: the production web processes (scripts/web.sh, granian) on a loopback port, 100 requests/s for 30 s of
  `POST /api/v1/prescreen` (bearer token of an account manager), latency percentiles and errors.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from lendpilot.core.bench import BenchContext, Measurement, Stopwatch, benchmark
from lendpilot.scoring import synthetic, training
from lendpilot.scoring.scorecard import Scorecard


def _optbinning_scorecard(frame, y, config: training.TrainingConfig):
    """optbinning's Scorecard fitted with the same binning settings and regression as ours."""
    from optbinning import Scorecard as OptScorecard
    from sklearn.linear_model import LogisticRegression

    features = [c for c in frame.columns]
    categorical = [c for c in features if training._is_categorical(frame[c])]
    bp = training._binning_process(features, categorical, config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sc = OptScorecard(binning_process=bp, estimator=LogisticRegression(C=config.regularisation_c, max_iter=2000),
                          scaling_method="pdo_odds",
                          scaling_method_params={"pdo": config.pdo, "odds": config.base_odds,
                                                 "scorecard_points": config.base_points})
        sc.fit(frame, y)
    return sc


@benchmark("score_single")
def score_single(ctx: BenchContext):
    raw = training.load_csv(training.german_credit_path())
    y = training.target_vector(raw, "creditability")
    frame = raw.drop(columns="creditability")
    for column in frame.columns:
        if training._is_categorical(frame[column]):
            frame[column] = frame[column].astype(object)
    config = training.TrainingConfig()
    result = training.train(raw, target="creditability", with_cv=False)
    card = Scorecard(result.table)
    opt = _optbinning_scorecard(frame, y, config)

    rows = [frame.iloc[[i]] for i in range(50)]
    dicts = [{k: (v.item() if hasattr(v, "item") else v) for k, v in frame.iloc[i].to_dict().items()}
             for i in range(50)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = np.array([card.score(d).score for d in dicts])
        theirs = np.array([float(opt.score(r)[0]) for r in rows])
        n_opt = 100 if ctx.scale == "small" else 300
        with Stopwatch() as sw_opt:
            for i in range(n_opt):
                opt.score(rows[i % 50])
    n_ours = 20000
    with Stopwatch() as sw_ours:
        for i in range(n_ours):
            card.score(dicts[i % 50])
    per_ours = sw_ours.seconds / n_ours * 1e6
    per_opt = sw_opt.seconds / n_opt * 1e6
    yield Measurement("score_single", "one_applicant", per_ours, "us", baseline=per_opt,
                      notes={"baseline_is": "optbinning Scorecard.score on a one-row DataFrame",
                             "characteristics": len(card.names),
                             "max_score_difference_vs_optbinning": round(float(np.max(np.abs(ours - theirs))), 6)})


@benchmark("score_batch")
def score_batch(ctx: BenchContext):
    result = training.train(synthetic.training_frame(5000, seed=11), target="bad", with_cv=False)
    card = Scorecard(result.table)
    n = {"small": 200_000, "medium": 1_000_000, "bank": 5_000_000}[ctx.scale]
    columns, _ = synthetic.applicants(n, seed=ctx.seed)
    card.score_frame({k: v[:1000] for k, v in columns.items()})  # warm up
    with Stopwatch() as sw:
        scores = card.score_frame(columns)
        card.pd_of_scores(scores)
    m = 20_000
    singles = [{k: v[i].item() for k, v in columns.items()} for i in range(m)]
    with Stopwatch() as sw_single:
        for applicant in singles:
            card.score(applicant)
    yield Measurement("score_batch", "applicants_per_second", n / sw.seconds, "applicants/s",
                      baseline=m / sw_single.seconds,
                      notes={"applicants": n, "baseline_is": "the same engine, one applicant at a time"})


# -- HTTP --------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _prepare_bank() -> str:
    """The test world, an active synthetic scorecard, a policy, and a token for an account manager."""
    from lendpilot.org.services import api_token_issue
    from lendpilot.scoring.services import policy_version_publish, scorecard_activate, train_scorecard_version
    from lendpilot.testing import build_world

    world = build_world()
    version = train_scorecard_version(actor=world.user("risk_l1"), family="credit",
                                      frame=synthetic.training_frame(5000, seed=11), target="bad", with_cv=False)
    scorecard_activate(actor=world.user("risk_l2"), version=version)
    policy_version_publish(actor=world.user("risk_l1"), rules={})
    _token, secret = api_token_issue(actor=world.user("director"), user=world.user("am_wang"), name="bench")
    return secret


def _server_env() -> dict[str, str]:
    from lendpilot.compliance.crypto import _derived_key

    env = dict(os.environ)
    env.update({
        "DATABASE_URL": _database_url(),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "LENDPILOT_FIELD_KEYS": ",".join(settings.LENDPILOT_FIELD_KEYS)
        or _derived_key("lendpilot-field-key").decode(),
        "LENDPILOT_HASH_KEY": settings.LENDPILOT_HASH_KEY or _derived_key("lendpilot-hash-key").decode(),
        "LENDPILOT_AUDIT_KEY": settings.LENDPILOT_AUDIT_KEY,
        # production settings over plain HTTP on the loopback: no redirect to HTTPS, cookies not HTTPS-only
        "SECURE_SSL_REDIRECT": "0",
        "LENDPILOT_SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "60",
    })
    return env


def _wait_until_up(url: str, proc: subprocess.Popen, log, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the web server exited during start-up: {log.read()[-2000:]!r}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (loopback only)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the web server did not start")


def _bodies(n: int, seed: int) -> list[bytes]:
    columns, _ = synthetic.applicants(n, seed=seed)
    out = []
    for i in range(n):
        income = float(columns["monthly_income"][i])
        out.append(json.dumps({
            "product_code": "CREDIT-01", "amount": "150000", "term_months": 36, "region": "EAST",
            "age": int(columns["age"][i]), "monthly_income": str(income),
            "monthly_debt_payments": str(round(income * float(columns["debt_to_income"][i]), 2)),
            "employment_years": float(columns["employment_years"][i]),
            "bureau_inquiries_6m": int(columns["bureau_inquiries_6m"][i]),
            "bureau_overdue_24m": int(columns["bureau_overdue_24m"][i]),
            "industry": str(columns["industry"][i]),
        }).encode())
    return out


def _load(url: str, token: str, bodies: list[bytes], rate: float, seconds: float, threads: int = 24):
    """Open-loop load: request i is due at start + i / rate; latency counts from the due time, so a
    slow server cannot hide queueing by slowing the generator down."""
    parsed = urllib.parse.urlsplit(url)
    host, port, path = parsed.hostname, parsed.port, parsed.path
    total = int(rate * seconds)
    latencies = np.zeros(total)
    service = np.zeros(total)
    errors: list[str] = []
    next_index = [0]
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker():
        while True:
            with lock:
                i = next_index[0]
                next_index[0] += 1
            if i >= total:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            sent = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(host, port, timeout=10)
                conn.request("POST", path, body=bodies[i % len(bodies)], headers=headers)
                response = conn.getresponse()
                payload = response.read()
                conn.close()
                if response.status != 200:
                    errors.append(f"{response.status} {payload[:200]!r}")
            except OSError as exc:
                errors.append(repr(exc))
            done = time.perf_counter()
            latencies[i] = done - due
            service[i] = done - sent

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return latencies * 1000, service * 1000, errors, elapsed


@benchmark("prescreen_http")
def prescreen_http(ctx: BenchContext):
    token = _prepare_bank()
    port = _free_port()
    # The production shape (docs/deploy.md, "Web"): cores + 1 processes, two threads each, so that a
    # worker waiting for the database does not hold up the next request.
    workers = str(ctx.options.get("workers", (os.cpu_count() or 1) + 1))
    threads = str(ctx.options.get("threads", 2))
    base = Path(settings.BASE_DIR)
    env = _server_env() | {"WEB_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": workers, "WEB_THREADS": threads,
                           "GRANIAN": str(Path(sys.executable).with_name("granian"))}
    # The server's log goes to a file: a pipe nobody reads fills up after some 64 KiB of warnings and then
    # blocks every worker that logs.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    proc = subprocess.Popen(  # noqa: S603 (fixed argv, loopback only)
        [shutil.which("bash") or "/bin/bash", str(base / "scripts" / "web.sh")],
        cwd=base, env=env, stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/prescreen"
        # Probe the operation itself (a GET answers 405): building the whole OpenAPI document on a cold
        # worker takes many seconds on a busy machine and says nothing about the pre-screen.
        _wait_until_up(url, proc, log, timeout=120.0)
        bodies = _bodies(500, ctx.seed)
        _load(url, token, bodies, rate=50, seconds=2)  # warm up every worker
        rate, seconds = 100.0, float(ctx.options.get("seconds", 30))
        latencies, service, errors, elapsed = _load(url, token, bodies, rate=rate, seconds=seconds)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        server_log = log.read().decode(errors="replace")
        log.close()
    notes = {"requests": len(latencies), "errors": len(errors), "rate_per_s": rate, "seconds": seconds,
             "achieved_rate_per_s": round(len(latencies) / elapsed, 1), "web_workers": int(workers),
             "threads": int(threads),
             "database": connection.vendor,
             "p50_ms": round(float(np.percentile(latencies, 50)), 2),
             "p99_ms_service_only": round(float(np.percentile(service, 99)), 2),
             "max_ms": round(float(latencies.max()), 2)}
    if errors:
        notes["first_error"] = errors[0]
        notes["server_log_tail"] = server_log[-1000:]
    yield Measurement("prescreen_http", "p99_latency", float(np.percentile(latencies, 99)), "ms", notes=notes)

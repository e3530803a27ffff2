"""The load of `make load` (README, "Load").

The day mix (`LOAD_MIX=day`, the default) is what a bank's working day sends: the channels' systems
pre-screen applicants over the API (`ChannelUser`), and a fixed number of signed-in staff (`StaffUser`,
`LOAD_STAFF_USERS`, default 20) read the application list (API and page), an application, the kanban and
the command centre. `LOAD_MIX=prescreen` sends pre-screens only; `LOAD_MIX=desk` (`BankUser`) the
desk-heavy mix, eleven page requests in 23. Each simulated user sends one request a second on average, at
independent random moments (`poisson_arrivals(1)`: a Poisson process, as requests from many independent
systems and people arrive), so the total rate is the number of users: `make load` runs 200 users, 200 requests per
second. The users are locust's FastHttpUser (a C HTTP client): the load generator shares the
machine with the server, and the `requests`-based client costs several times more CPU per request.

Loopback only: the host must be 127.0.0.1 (scripts/load/run.sh starts the server there). Environment:
LOAD_TOKEN (bearer token of an account manager, for the pre-screen), LOAD_SESSION (a signed-in session of
the director, for the pages) or else LOAD_PASSWORD (the demo password; each user then signs in)."""

import os
import random
import re
import time
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, events, task
from locust.runners import WorkerRunner
from mix import prescreen_body

PASSWORD = os.environ.get("LOAD_PASSWORD", "lendpilot-demo")
TOKEN = os.environ.get("LOAD_TOKEN", "")
# A session key of the director (scripts/load/run.sh makes one), shared by every simulated user.
SESSION = os.environ.get("LOAD_SESSION", "")
# The web processes that serve the pages (everything outside /api/) when they are not those of --host:
# run.sh's LOAD_PAGE_WORKERS, as a proxy routes them (docs/deploy.md, "API and pages apart").
PAGES_HOST = os.environ.get("LOAD_PAGES_HOST", "").rstrip("/")


@events.test_start.add_listener
def loopback_only(environment, **kwargs):
    for address in (environment.host or "", *([PAGES_HOST] if PAGES_HOST else [])):
        host = urlsplit(address).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"load tests run against the loopback only, not {host!r}")


@events.test_start.add_listener
def count_after_warm_up(environment, **kwargs):
    """Reset the figures after LOAD_WARMUP seconds (scripts/load/run.sh): what follows is the steady state.
    The first seconds measure a restart instead: each worker's first requests import and compile, and
    locust, creating its users, blocks its own event loop for a moment while early requests are in flight
    (a client-side delay of some 300 ms that the server's own timings do not show)."""
    seconds = float(os.environ.get("LOAD_WARMUP", "0"))
    if seconds <= 0 or isinstance(environment.runner, WorkerRunner):
        return  # a worker sends its figures to the master, which resets the totals

    def reset_after_warm_up():
        gevent.sleep(seconds)
        environment.runner.stats.reset_all()

    gevent.spawn(reset_after_warm_up)


def own_phase(user) -> None:
    """Start at a random moment of the first second: locust starts all users at once, and their first
    requests would otherwise all fire in the same millisecond. The pacing (`poisson_arrivals`) counts
    from there."""
    gevent.sleep(user.rng.random())
    user.next_start = time.monotonic()


def poisson_arrivals(rate: float):
    """A wait time that starts each request an exponentially distributed interval (mean 1/rate) after the
    previous one *started*, whatever the answer took: each user is then a Poisson process of `rate`
    requests a second and the total rate is exactly users x rate. Locust's `poisson` counts the interval
    from the end of the previous request, which lowers the rate by the response time (196 rather than 200
    a second at 11 ms), and `constant_throughput` counts from the user's creation, so it undoes the
    random phase and every user fires on the same beat of the second, 200 requests at once and then
    nothing: a generator's artefact (a server that answers a bare WSGI "ok" in 0.2 ms then measures 30 ms
    at the median), not what independent clients send. A user that fell behind by more than a second (a
    stalled answer) starts afresh rather than firing its backlog at once."""

    def wait(user) -> float:
        now = time.monotonic()
        user.next_start = max(user.next_start, now - 1.0) + random.expovariate(rate)
        return max(0.0, user.next_start - now)

    return wait


class ChannelUser(FastHttpUser):
    """A channel's system: pre-screens only."""

    wait_time = poisson_arrivals(1)

    def on_start(self):
        self.rng = random.Random()
        own_phase(self)

    @task
    def prescreen(self):
        self.client.post("/api/v1/prescreen", data=prescreen_body(self.rng), name="prescreen",
                         headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})


class StaffUser(FastHttpUser):
    """Bank staff at their pages, signed in: the application list (API and page), an application, the kanban
    and the command centre. People read a page every few seconds at most, so in the day mix they are a fixed
    number of users (`LOAD_STAFF_USERS`, default 20: 20 page requests a second, what some 600 staff at
    one page every 30 seconds ask) beside the channels' systems, which send the pre-screens."""

    wait_time = poisson_arrivals(1)
    fixed_count = int(os.environ.get("LOAD_STAFF_USERS", "20"))
    username = "director"

    def on_start(self):
        self.rng = random.Random()
        own_phase(self)
        if SESSION:
            self.cookie = f"sessionid={SESSION}"
        else:
            page = self.client.get("/login/", name="login")
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
            self.client.post("/login/", data={"username": self.username, "password": PASSWORD,
                                              "csrfmiddlewaretoken": csrf.group(1) if csrf else ""},
                             headers={"Referer": f"{self.host}/login/"}, name="login")
            self.cookie = ""  # the client's cookie jar now holds the session
        self.application_ids: list[int] = []
        self.application_list()

    def page(self, path: str, name: str):
        url = PAGES_HOST + path if PAGES_HOST and not path.startswith("/api/") else path
        return self.client.get(url, name=name, headers={"Cookie": self.cookie} if self.cookie else None)

    def application_list(self):
        response = self.page("/api/v1/lending/applications?limit=20", "applications (API list)")
        if response.ok:
            self.application_ids = [row["id"] for row in response.json()] or self.application_ids

    def applications_page(self):
        self.page("/lending/", "applications (page)")

    def application(self):
        if self.application_ids:
            self.page(f"/lending/applications/{self.rng.choice(self.application_ids)}/", "application (page)")

    def command_centre(self):
        self.page("/insights/", "command centre")

    def kanban(self):
        self.page("/sales/", "kanban")

    def prescreen(self):
        ChannelUser.prescreen(self)

    tasks = {application_list: 3, applications_page: 3, application: 3, kanban: 2, command_centre: 1}


class BankUser(StaffUser):
    """The desk-heavy mix (`LOAD_MIX=desk`): every user sends 12 pre-screens for every 3 application lists
    over the API, 3 list pages, 2 application pages, 2 command centres and 1 kanban — eleven page
    requests in 23, far more pages than people read, to load the pages' code paths."""

    fixed_count = 0
    tasks = {StaffUser.prescreen: 12, StaffUser.application_list: 3, StaffUser.applications_page: 3,
             StaffUser.application: 2, StaffUser.command_centre: 2, StaffUser.kanban: 1}

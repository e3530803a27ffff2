"""The load of `make load` (README, "Load").

`BankUser` sends the mix of a working day: the pre-screen over the API, and the pages people keep open: the
application list (API and page), an application, the command centre and the kanban. `ChannelUser` sends
pre-screens only, the way the channels' systems call it. Each simulated user sends one request per second
(`constant_throughput(1)`), so the total rate is the number of users: `make load` runs 200 users, 200
requests per second. The users are locust's FastHttpUser (a C HTTP client): the load generator shares the
machine with the server, and the `requests`-based client costs several times more CPU per request.

Loopback only: the host must be 127.0.0.1 (scripts/load/run.sh starts the server there). Environment:
LOAD_TOKEN (bearer token of an account manager, for the pre-screen), LOAD_SESSION (a signed-in session of
the director, for the pages) or else LOAD_PASSWORD (the demo password; each user then signs in)."""

import os
import random
import re
from urllib.parse import urlsplit

from locust import FastHttpUser, constant_throughput, events, task
from mix import prescreen_body

PASSWORD = os.environ.get("LOAD_PASSWORD", "lendpilot-demo")
TOKEN = os.environ.get("LOAD_TOKEN", "")
# A session key of the director (scripts/load/run.sh makes one), shared by every simulated user.
SESSION = os.environ.get("LOAD_SESSION", "")


@events.test_start.add_listener
def loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load tests run against the loopback only, not {host!r}")


class ChannelUser(FastHttpUser):
    """A channel's system: pre-screens only."""

    wait_time = constant_throughput(1)

    def on_start(self):
        self.rng = random.Random()

    @task
    def prescreen(self):
        self.client.post("/api/v1/prescreen", data=prescreen_body(self.rng), name="prescreen",
                         headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})


class BankUser(ChannelUser):
    """The mix in the proportions of a working day, one request per task: 12 of 23 requests are pre-screens,
    3 the application list over the API, 3 the list page, 2 an application page, 2 the command centre and
    1 the kanban."""

    username = "director"

    def on_start(self):
        super().on_start()
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
        return self.client.get(path, name=name, headers={"Cookie": self.cookie} if self.cookie else None)

    @task(12)
    def prescreen(self):
        super().prescreen()

    @task(3)
    def application_list(self):
        response = self.page("/api/v1/lending/applications?limit=20", "applications (API list)")
        if response.ok:
            self.application_ids = [row["id"] for row in response.json()] or self.application_ids

    @task(3)
    def applications_page(self):
        self.page("/lending/", "applications (page)")

    @task(2)
    def application(self):
        if self.application_ids:
            self.page(f"/lending/applications/{self.rng.choice(self.application_ids)}/", "application (page)")

    @task(2)
    def command_centre(self):
        self.page("/insights/", "command centre")

    @task(1)
    def kanban(self):
        self.page("/sales/", "kanban")

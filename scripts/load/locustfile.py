"""The load mix of `make load` (README, "Load"): the pre-screen over the API, and the pages people keep
open during the day: the application list and an application, the command centre and the kanban.

Each simulated user sends one request per second (`constant_throughput(1)`), so the total rate is the
number of users: `make load` runs 200 users, 200 requests per second. Loopback only: the host must be
127.0.0.1 (the orchestrator, scripts/load/run.sh, starts the server there). Environment: LOAD_TOKEN
(bearer token of an account manager, for the pre-screen), LOAD_SESSION (a signed-in session for the
pages) or else LOAD_PASSWORD (the demo password; each user then signs in)."""

import json
import os
import random
from urllib.parse import urlsplit

from locust import HttpUser, constant_throughput, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "lendpilot-demo")
TOKEN = os.environ.get("LOAD_TOKEN", "")
# A session key of the director (scripts/load/run.sh makes one), shared by every simulated user.
SESSION = os.environ.get("LOAD_SESSION", "")
INDUSTRIES = ["C", "F", "G", "I", "K"]


@events.test_start.add_listener
def loopback_only(environment, **kwargs):
    host = urlsplit(environment.host or "").hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"load tests run against the loopback only, not {host!r}")


def prescreen_body(rng: random.Random) -> str:
    income = rng.randrange(6000, 60000)
    return json.dumps({
        "product_code": "CREDIT-01", "amount": str(rng.choice([50000, 100000, 150000, 300000])),
        "term_months": rng.choice([12, 24, 36]), "region": "EAST", "age": rng.randrange(23, 60),
        "monthly_income": str(income), "monthly_debt_payments": str(round(income * rng.uniform(0, 0.5), 2)),
        "employment_years": round(rng.uniform(0, 20), 1), "bureau_inquiries_6m": rng.randrange(0, 6),
        "bureau_overdue_24m": rng.randrange(0, 3), "industry": rng.choice(INDUSTRIES),
    })


class BankUser(HttpUser):
    """Sends the mix in the proportions of a working day: mostly pre-screens from the channels."""

    wait_time = constant_throughput(1)
    username = "director"

    def on_start(self):
        self.rng = random.Random()
        self.application_ids: list[int] = []
        if SESSION:
            self.client.cookies.set("sessionid", SESSION)
            return
        self.client.get("/login/", name="login")
        token = self.client.cookies.get("csrftoken", "")
        self.client.post("/login/", data={"username": self.username, "password": PASSWORD,
                                          "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{self.host}/login/"}, name="login")

    @task(12)
    def prescreen(self):
        self.client.post("/api/v1/prescreen", data=prescreen_body(self.rng), name="prescreen",
                         headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})

    @task(3)
    def applications(self):
        response = self.client.get("/api/v1/lending/applications?limit=20", name="applications (API list)")
        if response.ok:
            self.application_ids = [row["id"] for row in response.json()]
        self.client.get("/lending/", name="applications (page)")

    @task(2)
    def application(self):
        if self.application_ids:
            self.client.get(f"/lending/applications/{self.rng.choice(self.application_ids)}/",
                            name="application (page)")

    @task(2)
    def command_centre(self):
        self.client.get("/insights/", name="command centre")

    @task(1)
    def kanban(self):
        self.client.get("/sales/", name="kanban")

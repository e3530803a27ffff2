"""Background jobs of sales (thin wrappers around services)."""

from django_tasks import task

from lendpilot.sales.services.opportunities import opportunities_follow_loans


@task()
def sync_opportunities_with_lending_task(*, business_date: str) -> dict:
    """Move opportunities to where their loan application is: submitted, approved, disbursed, declined or
    withdrawn (the funnel follows the loan); idempotent."""
    return opportunities_follow_loans(actor=None)


@task()
def evaluate_triggers_task(*, business_date: str) -> dict:
    """Push the day's pre-approved offers (B3, D3) and the quarter's post-loan advisory tasks (D7); both
    idempotent, so a re-run of the day adds nothing."""
    from datetime import date

    from lendpilot.sales.scenarios.services import advisory_tasks_generate, triggers_evaluate

    day = date.fromisoformat(business_date)
    run = triggers_evaluate(actor=None, as_of=day)
    advisory = advisory_tasks_generate(actor=None, as_of=day)
    return {"offers": run.offers, "messages": run.messages, "expired": run.expired, "advisory_tasks": advisory}

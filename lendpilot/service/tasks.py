"""Background jobs of the service package (thin wrappers around its services)."""

from datetime import date

from django_tasks import task

from lendpilot.service.services import complaints_escalate, referrals_check, sentiment_scan, surveys_send


@task()
def escalate_complaints_task(*, business_date: str) -> dict:
    """Send open complaints up the line at 80% of their term; a second run escalates nothing."""
    return {"business_date": business_date, "escalated": complaints_escalate(today=date.fromisoformat(business_date))}


@task()
def send_surveys_task(*, business_date: str) -> dict:
    """Queue the post-disbursement and yearly surveys; a second run queues nothing."""
    return {"business_date": business_date, "sent": surveys_send(today=date.fromisoformat(business_date))}


@task()
def check_referrals_task(*, business_date: str) -> dict:
    """Earn or lapse referral rewards after the night's days-past-due update; a second run changes nothing."""
    return {"business_date": business_date, "moved": referrals_check(today=date.fromisoformat(business_date))}


@task()
def scan_sentiment_task(*, business_date: str) -> dict:
    """Look for spikes in each topic's daily post volume; a second run raises nothing new."""
    return {"business_date": business_date,
            "alerts": len(sentiment_scan(today=date.fromisoformat(business_date)))}

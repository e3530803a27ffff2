"""Prometheus figures of the end-of-day batch, read from the run log at scrape time (the EOD runs in a
task worker or a command, not in the web process that is scraped)."""

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily

from lendpilot.monitoring.models import EodRun, EodStage


def eod_stage_durations() -> Iterable[GaugeMetricFamily]:
    seconds = GaugeMetricFamily("lendpilot_eod_stage_seconds",
                                "Duration of each stage in the latest end-of-day run that ran it",
                                labels=["stage"])
    last = EodRun.objects.order_by("-business_date").values("pk", "business_date", "status", "attempts").first()
    if last:
        for stage, secs in EodStage.objects.filter(run_id=last["pk"], completed=True) \
                .values_list("stage", "seconds"):
            seconds.add_metric([stage], secs)
    yield seconds
    latest = GaugeMetricFamily("lendpilot_eod_latest_run", "The latest end-of-day run: business date "
                               "(ordinal days since 1970-01-01) by status, and its attempts",
                               labels=["status", "figure"])
    if last:
        latest.add_metric([last["status"], "business_date_epoch_days"],
                          last["business_date"].toordinal() - 719163)
        latest.add_metric([last["status"], "attempts"], last["attempts"])
    yield latest

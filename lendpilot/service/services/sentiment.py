"""Public sentiment (FEATURES E8): posts and reviews taken in from a CSV file or the API feed (all rows or
none, each bad row named, the same post held once), scored and given a topic in one batch; topic clusters
recomputed over the last months; and the daily scan for volume spikes per topic, whose alerts open a crisis
review with the topic's prepared response scripts."""

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event
from lendpilot.org.access import actor_of, require
from lendpilot.org.roles import Perm
from lendpilot.service.models import Post, PostCluster, SentimentAlert, Topic
from lendpilot.service.sentiment import anomaly, feed, topics
from lendpilot.service.sentiment.scoring import score_tokens
from lendpilot.service.sentiment.text import tokenise

logger = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 50
SCAN_DAYS = 14
BASELINE_DAYS = 7 * anomaly.SpikePolicy().weeks
CLUSTER_DAYS = 90
BATCH = 2000


@dataclass(frozen=True)
class IngestResult:
    added: int
    duplicates: int
    alerts: int


def _checked_rows(rows: list[dict], *, today: date) -> list[feed.FeedRow]:
    """Every row checked; any bad row refuses the whole feed, naming each (row numbers count the header as
    row 1 for a file, from 1 for the API)."""
    tz = timezone.get_current_timezone()
    good: list[feed.FeedRow] = []
    errors: dict[str, str] = {}
    if not rows:
        raise ValidationError({"rows": _("the feed holds no post")})
    if len(rows) > feed.MAX_ROWS:
        raise ValidationError({"rows": _("at most %(n)d posts at a time") % {"n": feed.MAX_ROWS}})
    for number, values in enumerate(rows, start=1):
        row, row_errors = feed.check_row(number, values, tz=tz, today=today)
        if row_errors:
            if len(errors) < MAX_REPORTED_ERRORS:
                errors[_("row %(n)d") % {"n": number}] = "; ".join(f"{k}: {v}" for k, v in row_errors.items())
        elif row is not None:
            good.append(row)
    if errors:
        raise ValidationError(errors)
    return good


def posts_ingest(*, actor, rows: list[dict], today: date | None = None, scan: bool = True) -> IngestResult:
    """Take in posts (dicts with source, time, text and url), all or none. New posts are scored and given
    their curated topic in one batch; then the days they touch are scanned for spikes."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    today = today or timezone.localdate()
    checked = _checked_rows(rows, today=today)
    tz = timezone.get_current_timezone()
    with transaction.atomic():
        digests = [r.digest for r in checked]
        held: set[str] = set()
        for start in range(0, len(digests), BATCH):
            held.update(Post.objects.filter(digest__in=digests[start:start + BATCH]).values_list("digest", flat=True))
        fresh, duplicates = feed.dedupe(checked, held)
        batch = tokenise([r.text for r in fresh])
        scores = score_tokens(batch)
        post_topics = topics.batch_topics(batch)
        now = timezone.now()
        Post.objects.bulk_create(
            [Post(source=r.source, posted_at=r.posted_at, posted_on=r.posted_at.astimezone(tz).date(), text=r.text,
                  url=r.url, digest=r.digest, sentiment=Decimal(f"{float(np.clip(s, -1, 1)):.4f}"), topic=t,
                  imported_at=now) for r, s, t in zip(fresh, scores, post_topics, strict=True)],
            batch_size=BATCH)
        record_event(actor=acting.user, event_code="service.posts_ingested", object_type="service.post",
                     after={"added": len(fresh), "duplicates": duplicates})
        alerts = sentiment_scan(today=today) if scan and fresh else []
    logger.info("posts ingested", extra={"rows": len(fresh), "duplicates": duplicates})
    return IngestResult(added=len(fresh), duplicates=duplicates, alerts=len(alerts))


def posts_import_csv(*, actor, content: bytes, today: date | None = None) -> IngestResult:
    """A CSV file of posts (header source,time,text,url; UTF-8, with or without a byte-order mark)."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("the file is not UTF-8 text")}) from None
    rows, missing = feed.read_csv(text)
    if missing:
        raise ValidationError({"file": _("the header lacks the columns %(columns)s") % {
            "columns": ", ".join(missing)}})
    return posts_ingest(actor=actor, rows=rows, today=today)


def daily_volumes(*, topic: str, start: date, end: date) -> list[int]:
    """Posts per day of a topic, one entry for every day from start to end."""
    counts = dict(Post.objects.filter(topic=topic, posted_on__range=(start, end)).values("posted_on")
                  .annotate(n=Count("id")).order_by().values_list("posted_on", "n"))
    return [int(counts.get(start + timedelta(days=i), 0)) for i in range((end - start).days + 1)]


def sentiment_scan(*, today: date | None = None, days: int = SCAN_DAYS) -> list[SentimentAlert]:
    """Look for the first day of a spike in each topic's daily volume over the last `days` days (against the
    weekly baseline of the weeks before). Each new alert opens a crisis review for its topic, unless one
    is open already (the alert then joins it). Idempotent: an alert is raised once per topic and day."""
    from lendpilot.service.services.crisis import incident_open_for_alert

    today = today or timezone.localdate()
    start = today - timedelta(days=days + BASELINE_DAYS)
    first_scanned = today - timedelta(days=days - 1)
    raised: list[SentimentAlert] = []
    with transaction.atomic():
        for topic in Topic.values:
            counts = daily_volumes(topic=topic, start=start, end=today)
            for check in anomaly.spike_days(counts):
                day = start + timedelta(days=check.index)
                if day < first_scanned:
                    continue
                alert, created = SentimentAlert.objects.get_or_create(
                    topic=topic, day=day, defaults={"volume": check.volume, "raised_on": today,
                                                    "expected": Decimal(f"{check.expected or 0:.1f}")})
                if created:
                    alert.incident = incident_open_for_alert(alert=alert, today=today)
                    alert.save(update_fields=["incident"])
                    raised.append(alert)
        if raised:
            record_event(actor=None, event_code="service.sentiment_alerts_raised", object_type="service.alert",
                         after={"on": today.isoformat(), "alerts": [f"{a.topic}:{a.day.isoformat()}" for a in raised]})
    logger.info("sentiment scan", extra={"business_date": today.isoformat(), "rows": len(raised)})
    return raised


def posts_cluster(*, actor, today: date | None = None, days: int = CLUSTER_DAYS, n_clusters: int = 8) -> int:
    """Recompute the topic clusters of the posts of the last `days` days (TF-IDF + NMF over their words); the
    previous clusters are replaced. Returns the number of clusters."""
    acting = actor_of(actor)
    require(acting, Perm.WORK_COMPLAINTS)
    today = today or timezone.localdate()
    with transaction.atomic():
        rows = list(Post.objects.filter(posted_on__gt=today - timedelta(days=days), posted_on__lte=today)
                    .values_list("pk", "text", "sentiment"))
        batch = tokenise([text for _pk, text, _s in rows])
        result = topics.cluster(batch, n_clusters=n_clusters)
        Post.objects.filter(cluster__isnull=False).update(cluster=None)
        PostCluster.objects.all().delete()
        sentiments = np.array([float(s) for _pk, _t, s in rows]) if rows else np.zeros(0)
        made = {}
        for c in result.clusters:
            members = result.assignment == c.number
            mean = Decimal(f"{sentiments[members].mean():.4f}") if members.any() else None
            made[c.number] = PostCluster.objects.create(computed_on=today, number=c.number,
                                                        top_words=" ".join(c.top_words)[:300], topic=c.topic,
                                                        size=c.size, mean_sentiment=mean)
        ids = np.array([pk for pk, _t, _s in rows], dtype=np.int64)
        for number, cluster in made.items():
            members = ids[result.assignment == number].tolist()
            for start in range(0, len(members), BATCH):
                Post.objects.filter(pk__in=members[start:start + BATCH]).update(cluster=cluster)
        record_event(actor=acting.user, event_code="service.posts_clustered", object_type="service.post",
                     after={"posts": len(rows), "clusters": len(made)})
    return len(made)



"""Checkpoint reads: the review queue, and the check a publishing service makes before it publishes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from lendpilot.compliance.checkpoints.models import CheckpointReview
from lendpilot.compliance.checkpoints.services import text_hash
from lendpilot.org.access import Actor, require
from lendpilot.org.roles import Perm


def is_cleared(*, subject_ref: str, text: str) -> bool:
    """Whether compliance approved exactly this text for this material."""
    return CheckpointReview.objects.filter(subject_ref=subject_ref, text_hash=text_hash(text),
                                           status=CheckpointReview.Status.APPROVED).exists()


def latest_review(*, subject_ref: str, text: str) -> CheckpointReview | None:
    """The newest review of exactly this text for this material (its status is what the author sees)."""
    return (CheckpointReview.objects.filter(subject_ref=subject_ref, text_hash=text_hash(text))
            .order_by("-submitted_at", "-pk").first())


def require_cleared(*, subject_ref: str, text: str) -> None:
    """Raise ValidationError unless the text was approved: call it inside the publishing service."""
    if not is_cleared(subject_ref=subject_ref, text=text):
        raise ValidationError({"compliance": _("compliance has not approved this text; submit it for review")})


def reviews(actor: Actor, *, status: str = "") -> QuerySet[CheckpointReview]:
    require(actor, Perm.VIEW_COMPLIANCE)
    queryset = CheckpointReview.objects.select_related("submitted_by__staff", "decided_by")
    return queryset.filter(status=status) if status in CheckpointReview.Status.values else queryset


def my_reviews(actor: Actor) -> QuerySet[CheckpointReview]:
    """The material the acting user submitted, with its decision."""
    return CheckpointReview.objects.filter(submitted_by=actor.user).select_related("decided_by")

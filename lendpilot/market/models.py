"""Market tables: LPR fixings, indicators, competitors and their moves, industries, pricing proposals,
market feedback and product change requests, and pilots with their clusters.

Every market figure carries its source and the date it describes; `max_age_days` says how old it may
get before the pages flag it stale.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import ProductCategory
from lendpilot.org.models import Region

USER = settings.AUTH_USER_MODEL


class Tenor(models.TextChoices):
    ONE_YEAR = "1Y", _("1-year LPR")
    FIVE_YEAR = "5Y", _("5-year-and-above LPR")


class LprFixing(models.Model):
    effective = models.DateField(_("effective date"))
    tenor = models.CharField(_("tenor"), max_length=2, choices=Tenor.choices)
    rate = models.DecimalField(_("rate"), max_digits=7, decimal_places=6)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        ordering = ["-effective", "tenor"]
        constraints = [models.UniqueConstraint(fields=["effective", "tenor"], name="market_lpr_one_per_day_tenor"),
                       models.CheckConstraint(condition=models.Q(rate__gt=0) & models.Q(rate__lt=1),
                                              name="market_lpr_rate_fraction")]

    def __str__(self) -> str:
        return f"{self.tenor} {self.effective}: {self.rate}"



class Indicator(models.Model):
    """A macro or regional figure (GDP growth, PMI, loan growth of a province ...); region empty = national."""

    code = models.CharField(_("indicator"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region"))
    as_of = models.DateField(_("as of"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=200)
    max_age_days = models.PositiveIntegerField(_("stale after (days)"), default=100)

    class Meta:
        ordering = ["code", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["code", "region", "as_of"], name="market_indicator_once",
                                               nulls_distinct=False)]

    def __str__(self) -> str:
        return f"{self.name} {self.as_of}"



class Competitor(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    profile = models.TextField(_("profile"), blank=True)
    report = models.TextField(_("latest report"), blank=True)
    source = models.CharField(_("source"), max_length=200)
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name



class MoveKind(models.TextChoices):
    RATE = "rate", _("Rate")
    APPROVAL_TIME = "approval_time", _("Approval time")
    DOCUMENTS = "documents", _("Documents")


class CompetitorMove(models.Model):
    """A competitor's offer as observed from a date: APR, approval days and documents for a product and region."""

    competitor = models.ForeignKey(Competitor, on_delete=models.CASCADE, related_name="moves")
    kind = models.CharField(_("kind of move"), max_length=20, choices=MoveKind.choices)
    product = models.CharField(_("product"), max_length=32, choices=ProductCategory.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    effective = models.DateField(_("effective"))
    apr = models.DecimalField(_("APR"), max_digits=7, decimal_places=6)
    approval_days = models.DecimalField(_("approval days"), max_digits=6, decimal_places=1)
    documents = models.CharField(_("documents"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=200)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective"]
        indexes = [models.Index(fields=["product", "region", "effective"])]

    def __str__(self) -> str:
        return f"{self.competitor_id} {self.product} {self.effective}"



class Industry(models.Model):
    name = models.CharField(_("industry"), max_length=120)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region"))
    growth = models.DecimalField(_("growth"), max_digits=7, decimal_places=4)
    financing_need = models.TextField(_("financing needs"))
    source = models.CharField(_("source"), max_length=200)
    as_of = models.DateField(_("as of"))

    class Meta:
        ordering = ["-growth"]

    def __str__(self) -> str:
        return self.name



class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PricingProposal(models.Model):
    """A benchmark adjustment: the spread over LPR for a product and region, from and to (maker-checker)."""

    product = models.CharField(_("product"), max_length=32, choices=ProductCategory.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    spread_from_bp = models.IntegerField(_("spread now (bp)"))
    spread_to_bp = models.IntegerField(_("proposed spread (bp)"))
    gap_bp = models.IntegerField(_("gap to competitors (bp)"))
    take_up_before = models.DecimalField(_("take-up before"), max_digits=5, decimal_places=4)
    take_up_now = models.DecimalField(_("take-up now"), max_digits=5, decimal_places=4)
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    proposed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The pricing diff on the catalogue product it changes: its annual rate range now and after approval,
    # moved by the spread change. Approval applies exactly this diff through the product service;
    # `product_change_seq` is the audit sequence number of that product change.
    target = models.ForeignKey("products.Product", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("product to reprice"))
    min_rate_from = models.DecimalField(_("lowest rate now"), max_digits=7, decimal_places=6, null=True, blank=True)
    min_rate_to = models.DecimalField(_("proposed lowest rate"), max_digits=7, decimal_places=6, null=True,
                                      blank=True)
    max_rate_from = models.DecimalField(_("highest rate now"), max_digits=7, decimal_places=6, null=True, blank=True)
    max_rate_to = models.DecimalField(_("proposed highest rate"), max_digits=7, decimal_places=6, null=True,
                                      blank=True)
    product_change_seq = models.BigIntegerField(_("product change (audit number)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["product", "region"], condition=models.Q(status="proposed"),
                                               name="market_one_open_proposal")]

    def __str__(self) -> str:
        return f"{self.product} {self.spread_from_bp}->{self.spread_to_bp}bp"



class FeedbackSource(models.TextChoices):
    MANAGER = "manager", _("Manager feedback")
    LOST_DEAL = "lost_deal", _("Lost deal")
    COMPLAINT = "complaint", _("Complaint")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")


class ChangeRequest(models.Model):
    """A product change (differentiated rates, repayment options ...) backed by the feedback it answers."""

    product = models.CharField(_("product"), max_length=32, choices=ProductCategory.choices)
    title = models.CharField(_("change"), max_length=200)
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return self.title



class Feedback(models.Model):
    source = models.CharField(_("source"), max_length=12, choices=FeedbackSource.choices)
    product = models.CharField(_("product"), max_length=32, choices=ProductCategory.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("region"))
    reason = models.CharField(_("reason"), max_length=60)
    text = models.TextField(_("what was said"), blank=True)
    day = models.DateField(_("date"))
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    change_request = models.ForeignKey(ChangeRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="evidence")

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"



class PilotStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class PilotDecision(models.TextChoices):
    ROLL_OUT = "roll_out", _("Roll out")
    STOP = "stop", _("Stop")
    EXTEND = "extend", _("Extend")


class Pilot(models.Model):
    name = models.CharField(_("pilot"), max_length=120, unique=True)
    change = models.TextField(_("process change"))
    metric = models.CharField(_("metric"), max_length=80)
    baseline_rate = models.DecimalField(_("baseline rate"), max_digits=5, decimal_places=4)
    target_rate = models.DecimalField(_("rate to detect"), max_digits=5, decimal_places=4)
    icc = models.DecimalField(_("intra-cluster correlation"), max_digits=5, decimal_places=4)
    seed = models.PositiveIntegerField(default=1)
    # Before the start the clusters have no counted cases yet: the power plan uses this expectation.
    cases_per_cluster = models.PositiveIntegerField(_("expected cases per team or branch"), default=0)
    pre_starts = models.DateField(_("pre-period starts"), null=True, blank=True)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=PilotStatus.choices, default=PilotStatus.PLANNED)
    decision = models.CharField(_("decision"), max_length=10, choices=PilotDecision.choices, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts"]

    def __str__(self) -> str:
        return self.name



class PilotCluster(models.Model):
    """A team or branch in a pilot: its stratum, arm, size and the metric before and after the start."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="clusters")
    code = models.CharField(_("team or branch"), max_length=40)
    stratum = models.CharField(_("stratum"), max_length=40)
    treated = models.BooleanField(_("in the pilot"))
    units = models.PositiveIntegerField(_("cases"), default=0)
    pre_value = models.DecimalField(_("before"), max_digits=7, decimal_places=4, null=True, blank=True)
    post_value = models.DecimalField(_("after"), max_digits=7, decimal_places=4, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["pilot", "code"], name="market_pilot_cluster_once")]

    def __str__(self) -> str:
        return self.code



class OfferOutcome(models.Model):
    """One offer the bank made and whether the customer took it: the data of the take-up model."""

    product = models.CharField(_("product"), max_length=32, choices=ProductCategory.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("region"))
    channel = models.CharField(_("channel"), max_length=10)  # one of elasticity.CHANNELS
    risk_grade = models.CharField(_("risk grade"), max_length=1)  # one of elasticity.GRADES
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    rate = models.DecimalField(_("offered rate"), max_digits=7, decimal_places=6)
    competitor_rate = models.DecimalField(_("competitors' median APR"), max_digits=7, decimal_places=6)
    accepted = models.BooleanField(_("taken up"))
    offered_on = models.DateField(_("offered on"))

    class Meta:
        indexes = [models.Index(fields=["product", "region", "offered_on"])]

    def __str__(self) -> str:
        return f"{self.product} {self.offered_on}"



class ElasticityRun(models.Model):
    """The price-elasticity index as estimated on a day (the page reads the latest, never refits)."""

    computed_on = models.DateField(_("computed on"))
    offers = models.PositiveIntegerField(_("offers"))
    rate_coefficient = models.FloatField(_("log-odds per point"))
    standard_error = models.FloatField(_("standard error"))
    take_up = models.FloatField(_("take-up"))
    take_up_change_per_pp = models.FloatField(_("take-up change per point"))
    computed_by = models.ForeignKey(USER, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-computed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.computed_on}: {self.rate_coefficient:.3f}"

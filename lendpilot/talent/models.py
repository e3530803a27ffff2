"""Talent (FEATURES A1-A6): requisitions with competency profiles, candidates and their stage log, sourcing
spend, employee records for the balance report, talent reviews on the 9-box with decisions, curricula
and enrolments, certification reminders, role-play drills and the case library.

Candidates carry no field about marriage, pregnancy or childbearing (妇女权益保障法 Art. 43); a test scans
these models, the forms and the API schemas for one."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lendpilot.org.models import Certification, Staff, Team
from lendpilot.org.roles import Role
from lendpilot.sales.models import Opportunity

LEVEL = [MinValueValidator(1), MaxValueValidator(5)]


class Skill(models.TextChoices):
    FINANCE = "finance", _("Finance background")
    CLIENT_DEVELOPMENT = "client_development", _("Client development")
    INDUSTRY = "industry", _("Industry knowledge")
    PRODUCT = "product", _("Product knowledge")
    RESILIENCE = "resilience", _("Resilience")
    COMPLIANCE = "compliance", _("Compliance")


class Source(models.TextChoices):
    HEADHUNTER = "headhunter", _("Headhunter")
    REFERRAL = "referral", _("Referral")
    CAMPUS = "campus", _("Campus")
    ONLINE = "online", _("Online")


class Requisition(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FILLED = "filled", _("Filled")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=100)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="requisitions", verbose_name=_("team"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1, validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN,
                              db_index=True)
    opened_on = models.DateField(_("opened on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(headcount__gte=1), name="requisition_headcount_positive")]

    def __str__(self):
        return self.title


class RequisitionSkill(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="skills")
    skill = models.CharField(_("skill"), max_length=24, choices=Skill.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), validators=LEVEL)
    level = models.PositiveSmallIntegerField(_("required level"), validators=LEVEL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["requisition", "skill"], name="requisition_skill_once"),
            models.CheckConstraint(condition=Q(weight__gte=1, weight__lte=5, level__gte=1, level__lte=5),
                                   name="requisition_skill_weight_level_1_5"),
        ]

    def __str__(self):
        return f"{self.requisition_id}: {self.skill} w{self.weight} ≥{self.level}"



class Candidate(models.Model):
    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SCREENING = "screening", _("Screening")
        INTERVIEW = "interview", _("Interview")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    requisition = models.ForeignKey(Requisition, on_delete=models.PROTECT, related_name="candidates",
                                    verbose_name=_("requisition"))
    name = models.CharField(_("name"), max_length=50)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, db_index=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.APPLIED)
    applied_on = models.DateField(_("applied on"))
    background = models.CharField(_("professional background"), max_length=100, blank=True)
    match_score = models.DecimalField(_("match score"), max_digits=5, decimal_places=4, default=Decimal(0))

    class Meta:
        ordering = ["-match_score", "id"]
        indexes = [models.Index(fields=["requisition", "stage"]), models.Index(fields=["source", "stage"])]

    def __str__(self):
        return self.name


class CandidateSkill(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="skills")
    skill = models.CharField(_("skill"), max_length=24, choices=Skill.choices)
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "skill"], name="candidate_skill_once")]

    def __str__(self):
        return f"{self.candidate_id}: {self.skill} {self.level}"



class CandidateTransition(models.Model):
    """Every stage move of a candidate; time in stage is read from this log."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=16, blank=True)
    to_stage = models.CharField(max_length=16, choices=Candidate.Stage.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["candidate", "at", "id"]

    def __str__(self):
        return f"{self.candidate_id}: {self.from_stage} → {self.to_stage}"



class SourcingSpend(models.Model):
    """What a source cost in a month (headhunter fees, campus fairs, job-board postings)."""

    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    month = models.DateField(_("month"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "month"], name="sourcing_spend_once_per_month"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sourcing_spend_not_negative"),
        ]

    def __str__(self):
        return f"{self.source} {self.month:%Y-%m}: {self.amount}"



class EmployeeRecord(models.Model):
    """Facts about an employee kept for the team-structure balance report, never about a candidate."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        UNDISCLOSED = "undisclosed", _("Not disclosed")

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="employee_record")
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, default=Gender.UNDISCLOSED)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    background = models.CharField(_("professional background"), max_length=100, blank=True)

    def __str__(self):
        return f"{self.staff_id}"



class TalentReview(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")

    name = models.CharField(_("name"), max_length=100)
    period_start = models.DateField(_("period start"))
    months = models.PositiveSmallIntegerField(_("months"), default=3)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self):
        return self.name


class ReviewEntry(models.Model):
    class Level(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    review = models.ForeignKey(TalentReview, on_delete=models.CASCADE, related_name="entries")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="review_entries")
    team = models.ForeignKey(Team, null=True, on_delete=models.PROTECT, related_name="+")
    appraisal_score = models.DecimalField(_("appraisal score"), max_digits=6, decimal_places=2, null=True)
    performance = models.PositiveSmallIntegerField(_("performance"), choices=Level.choices, default=Level.MEDIUM)
    potential = models.PositiveSmallIntegerField(_("potential"), choices=Level.choices, null=True, blank=True)
    potential_evidence = models.TextField(_("evidence for potential"), blank=True)
    risk_of_loss = models.PositiveSmallIntegerField(_("risk of loss"), choices=Level.choices, default=Level.LOW)
    impact_of_loss = models.PositiveSmallIntegerField(_("impact of loss"), choices=Level.choices,
                                                      default=Level.MEDIUM)
    box = models.PositiveSmallIntegerField(_("box"), null=True, blank=True, db_index=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-box", "staff__employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["review", "staff"], name="review_entry_once_per_person"),
            models.CheckConstraint(condition=Q(box__isnull=True) | Q(box__gte=1, box__lte=9), name="review_box_1_9"),
        ]

    def __str__(self):
        return f"{self.review_id}/{self.staff_id}: {self.box}"



class ReviewDecision(models.Model):
    class Kind(models.TextChoices):
        PROMOTE = "promote_to_team_lead", _("Promote to team lead")
        STRETCH = "stretch_assignment", _("Stretch assignment")
        DEVELOP = "development_plan", _("Development plan")
        RETAIN = "retain_and_reward", _("Retain and reward")
        TRAINING_PLAN = "training_plan", _("Training plan")
        REASSIGN = "reassignment", _("Reassignment")
        CALIBRATE = "calibration", _("Calibration change")

    entry = models.ForeignKey(ReviewEntry, on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=24, choices=Kind.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)
    # A promotion takes effect in the organisation when the director confirms it.
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    promoted_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("team led"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="review_decision_has_reason")]

    def __str__(self):
        return f"{self.entry_id}: {self.kind}"



class Curriculum(models.Model):
    class Layer(models.TextChoices):
        NEW_HIRE = "new_hire", _("New hire")
        BACKBONE = "backbone", _("Backbone")
        MANAGER = "manager", _("Manager")

    class Topic(models.TextChoices):
        PRODUCTS = "products", _("Products")
        COMPLIANCE_RISK = "compliance_risk", _("Compliance and risk")
        NEGOTIATION = "negotiation", _("Negotiation")
        CLIENT_MANAGEMENT = "client_management", _("Client management")

    title = models.CharField(_("title"), max_length=100)
    layer = models.CharField(_("layer"), max_length=12, choices=Layer.choices)
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    hours = models.PositiveSmallIntegerField(_("hours"), default=8)
    external = models.BooleanField(_("external session"), default=False)

    class Meta:
        ordering = ["layer", "topic", "title"]

    def __str__(self):
        return self.title


class Enrolment(models.Model):
    curriculum = models.ForeignKey(Curriculum, on_delete=models.PROTECT, related_name="enrolments")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_on = models.DateField(_("enrolled on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "staff"], name="enrolment_once"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                                   name="enrolment_score_0_100"),
        ]

    def __str__(self):
        return f"{self.staff_id} in {self.curriculum_id}"



class CertificationReminder(models.Model):
    """A reminder sent at 90, 60 or 30 days before a certification expires; the unique pair keeps the
    daily job idempotent."""

    certification = models.ForeignKey(Certification, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()

    class Meta:
        ordering = ["-sent_on", "id"]
        constraints = [models.UniqueConstraint(fields=["certification", "days_before"], name="reminder_once")]

    def __str__(self):
        return f"{self.certification_id} at {self.days_before} days"



class DrillScenario(models.Model):
    class Kind(models.TextChoices):
        FIRST_MEETING = "first_meeting", _("First meeting")
        PROPOSAL = "proposal", _("Proposal")
        PRICING = "pricing_negotiation", _("Pricing negotiation")
        OBJECTION = "objection", _("Objection handling")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    brief = models.TextField(_("brief"))
    # [{"key": "...", "label": "...", "weight": n}, ...]
    rubric = models.JSONField(_("rubric"))

    def __str__(self):
        return self.title


class DrillScore(models.Model):
    scenario = models.ForeignKey(DrillScenario, on_delete=models.PROTECT, related_name="scores")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="drill_scores")
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    scores = models.JSONField()
    total = models.DecimalField(max_digits=5, decimal_places=1)
    scored_on = models.DateField()

    class Meta:
        ordering = ["-scored_on", "-id"]

    def __str__(self):
        return f"{self.scenario_id}/{self.staff_id}: {self.total}"



class Case(models.Model):
    """A won or lost deal kept for its lesson, linked to the funnel node and the objection it turned on."""

    class Outcome(models.TextChoices):
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    title = models.CharField(_("title"), max_length=150)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    funnel_stage = models.CharField(_("funnel stage"), max_length=32, blank=True)
    objection = models.CharField(_("objection"), max_length=100, blank=True)
    summary = models.TextField(_("summary"))
    lesson = models.TextField(_("lesson"))
    opportunity = models.OneToOneField(Opportunity, null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="case")
    created_on = models.DateField(_("created on"))

    class Meta:
        ordering = ["-created_on", "-id"]

    def __str__(self):
        return self.title

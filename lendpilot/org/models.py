"""Organisation: regions, branches, teams, staff with roles and reporting lines, the skills matrix
(FEATURES B7 input, A-section people data) and API tokens for integrations (X7)."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.org.roles import Role


class BilingualNameMixin(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Region(BilingualNameMixin):
    """A sales region: 华东 East China, 华南 South China, ..."""

    code = models.CharField(_("code"), max_length=16, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Branch(BilingualNameMixin):
    code = models.CharField(_("code"), max_length=16, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="branches", verbose_name=_("region"))
    city = models.CharField(_("city"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")


class Team(models.Model):
    class Channel(models.TextChoices):
        DIRECT = "direct", _("Direct sales")
        CHANNEL = "channel", _("Channel")

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=100)
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="teams", verbose_name=_("branch"))
    # Denormalised from branch so that region scopes filter without a join chain.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="teams", verbose_name=_("region"))
    channel = models.CharField(_("team type"), max_length=16, choices=Channel.choices)

    class Meta:
        ordering = ["code"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name


class Staff(models.Model):
    """A person in the sales organisation, linked to a login. Region and team place the person in the
    hierarchy that data scopes follow; `reports_to` is the reporting line."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, db_index=True)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="staff", verbose_name=_("region")
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("team")
    )
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports", verbose_name=_("reports to")
    )
    # Risk officers: approval level 1 (initial), 2 (secondary), 3 (final) and the amount they may approve.
    approval_level = models.PositiveSmallIntegerField(
        _("approval level"), default=0, validators=[MaxValueValidator(3)]
    )
    approval_limit = models.DecimalField(_("approval limit (CNY)"), max_digits=16, decimal_places=2,
                                         default=Decimal("0.00"))
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=[Role.TEAM_LEAD, Role.ACCOUNT_MANAGER]) | models.Q(team__isnull=False),
                name="staff_team_member_has_team",
            ),
            models.CheckConstraint(
                condition=~models.Q(role=Role.REGIONAL_HEAD) | models.Q(region__isnull=False),
                name="staff_regional_head_has_region",
            ),
            models.CheckConstraint(condition=models.Q(approval_level__lte=3), name="staff_approval_level_0_3"),
            models.CheckConstraint(condition=models.Q(approval_limit__gte=0), name="staff_approval_limit_not_negative"),
        ]
        indexes = [models.Index(fields=["team", "role"]), models.Index(fields=["region", "role"])]

    def __str__(self):
        return f"{self.name} ({self.employee_no})"


class SkillProfile(models.Model):
    """The account manager's relationship skill: how well they convert existing customers (B7)."""

    staff = models.OneToOneField(Staff, on_delete=models.CASCADE, related_name="skill_profile")
    existing_customer_conversion_rate = models.DecimalField(
        _("existing-customer conversion rate"), max_digits=5, decimal_places=4, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(existing_customer_conversion_rate__gte=0)
                & models.Q(existing_customer_conversion_rate__lte=1),
                name="skill_conversion_rate_0_1",
            )
        ]

    def __str__(self):
        return f"{self.staff}: {self.existing_customer_conversion_rate:.1%}"


class IndustryExpertise(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="industry_expertise")
    industry = models.CharField(_("industry"), max_length=1, choices=Industry.choices)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "industry"], name="expertise_once_per_industry"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="expertise_level_1_5"),
        ]

    def __str__(self):
        return f"{self.staff} {self.industry}:{self.level}"


class ProductFamiliarity(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="product_familiarity")
    category = models.CharField(_("product category"), max_length=32, choices=ProductCategory.choices)
    level = models.PositiveSmallIntegerField(_("level"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "category"], name="familiarity_once_per_category"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="familiarity_level_1_5"),
        ]

    def __str__(self):
        return f"{self.staff} {self.category}:{self.level}"


def default_token_expiry():
    return timezone.now() + timedelta(days=settings.LENDPILOT_API_TOKEN_DAYS)


class ApiToken(models.Model):
    """A bearer token for an integration (core banking, bureau, channel partner). Only a SHA-256 of the
    secret is stored; the secret is shown once when issued. It expires (90 days by default) and is
    revoked when its user's password changes or the user or staff member is deactivated: it carries a
    fingerprint of the password hash it was issued under, checked at every use."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), default=default_token_expiry)
    password_fingerprint = models.CharField(max_length=64, blank=True, default="")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Certification(models.Model):
    """A professional certification a staff member holds (CFP, 银行从业资格, ...) with its expiry. Kept in
    org, the floor the lead assignment can read: a product that requires a kind takes only holders of an
    unexpired one (FEATURES A6)."""

    class Kind(models.TextChoices):
        BANKING_QUALIFICATION = "banking", _("Banking professional qualification")
        CFP = "cfp", _("Certified Financial Planner")
        AFP = "afp", _("Associate Financial Planner")
        CREDIT_ANALYST = "credit", _("Credit analyst certificate")
        AML = "aml", _("Anti-money-laundering certificate")

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="certifications")
    kind = models.CharField(_("certification"), max_length=16, choices=Kind.choices)
    obtained_on = models.DateField(_("obtained on"))
    expires_on = models.DateField(_("expires on"))

    class Meta:
        ordering = ["expires_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["staff", "kind", "obtained_on"], name="certification_once_per_award"),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("obtained_on")),
                                   name="certification_expires_after_award"),
        ]
        indexes = [models.Index(fields=["kind", "expires_on"])]

    def __str__(self):
        return f"{self.staff} {self.kind} → {self.expires_on}"


class ProductCertificationRequirement(models.Model):
    """A certification a loan product requires of the managers it is assigned to. The product is named by
    its id: products sit on a floor above org, and org must not reference them."""

    product_id = models.PositiveIntegerField(_("product"), db_index=True)
    kind = models.CharField(_("certification"), max_length=16, choices=Certification.Kind.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product_id", "kind"], name="product_certification_once")]

    def __str__(self):
        return f"{self.product_id}: {self.kind}"

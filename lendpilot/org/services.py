"""Writes to the organisation: regions, branches, teams, staff, skills matrix, API tokens.

Every function is one business action: keyword-only, one transaction, one audit record.
"""

import hashlib
import secrets
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.money import MoneyError, to_money
from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.org.access import Actor, actor_of, require
from lendpilot.org.models import (
    ApiToken,
    Branch,
    IndustryExpertise,
    ProductFamiliarity,
    Region,
    SkillProfile,
    Staff,
    Team,
)
from lendpilot.org.roles import Perm, Role

TOKEN_PREFIX_LENGTH = 8


@transaction.atomic
def region_create(*, actor, code: str, name_zh: str, name_en: str) -> Region:
    require(actor_of(actor), Perm.MANAGE_ORG)
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("region %(code)s already exists") % {"code": code}})
    region = Region.objects.create(code=code, name_zh=name_zh, name_en=name_en)
    record_event(actor=actor_of(actor).user, event_code="org.region_created", obj=region, after=snapshot(region))
    return region


@transaction.atomic
def branch_create(*, actor, code: str, name_zh: str, name_en: str, region: Region, city: str) -> Branch:
    require(actor_of(actor), Perm.MANAGE_ORG)
    if Branch.objects.filter(code=code).exists():
        raise ValidationError({"code": _("branch %(code)s already exists") % {"code": code}})
    branch = Branch.objects.create(code=code, name_zh=name_zh, name_en=name_en, region=region, city=city)
    record_event(actor=actor_of(actor).user, event_code="org.branch_created", obj=branch, after=snapshot(branch))
    return branch


@transaction.atomic
def team_create(*, actor, code: str, name: str, branch: Branch, channel: str) -> Team:
    require(actor_of(actor), Perm.MANAGE_ORG)
    if channel not in Team.Channel.values:
        raise ValidationError({"channel": _("unknown team type %(channel)s") % {"channel": channel}})
    if Team.objects.filter(code=code).exists():
        raise ValidationError({"code": _("team %(code)s already exists") % {"code": code}})
    team = Team.objects.create(code=code, name=name, branch=branch, region_id=branch.region_id, channel=channel)
    record_event(actor=actor_of(actor).user, event_code="org.team_created", obj=team, after=snapshot(team))
    return team


def _placement(*, role: str, team: Team | None, region: Region | None) -> tuple[Team | None, Region | None]:
    """Where a role sits: team members carry their team's region; a regional head a region."""
    errors = {}
    if role not in Role.values:
        errors["role"] = _("unknown role %(role)s") % {"role": role}
    elif role in (Role.TEAM_LEAD, Role.ACCOUNT_MANAGER):
        if team is None:
            errors["team"] = _("a team lead or account manager must belong to a team")
        else:
            region = team.region
    elif role == Role.REGIONAL_HEAD:
        if region is None:
            errors["region"] = _("a regional head must have a region")
        team = None
    if errors:
        raise ValidationError(errors)
    return team, region


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    password: str,
    name: str,
    employee_no: str,
    role: str,
    team: Team | None = None,
    region: Region | None = None,
    reports_to: Staff | None = None,
    approval_level: int = 0,
    approval_limit: Decimal = Decimal("0"),
    hired_on=None,
) -> Staff:
    """Create a login and its staff record. Rejects a duplicate username or employee number, a team
    member without a team, a regional head without a region, and approval settings on non-risk roles."""
    require(actor_of(actor), Perm.MANAGE_ORG)
    errors = {}
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        errors["username"] = _("username %(username)s is taken") % {"username": username}
    if Staff.objects.filter(employee_no=employee_no).exists():
        errors["employee_no"] = _("employee number %(employee_no)s is taken") % {"employee_no": employee_no}
    if not 0 <= approval_level <= 3:
        errors["approval_level"] = _("approval level is 0 (none) to 3 (final)")
    elif approval_level and role != Role.RISK_OFFICER:
        errors["approval_level"] = _("only risk officers hold an approval level")
    try:
        approval_limit = to_money(approval_limit)
        if approval_limit < 0:
            errors["approval_limit"] = _("approval limit must not be negative")
    except MoneyError:
        errors["approval_limit"] = _("approval limit is not an amount")
    if errors:
        raise ValidationError(errors)
    team, region = _placement(role=role, team=team, region=region)
    user = user_model.objects.create_user(username=username, password=password)
    staff = Staff.objects.create(
        user=user,
        name=name,
        employee_no=employee_no,
        role=role,
        team=team,
        region=region,
        reports_to=reports_to,
        approval_level=approval_level,
        approval_limit=approval_limit,
        hired_on=hired_on,
    )
    record_event(actor=actor_of(actor).user, event_code="org.staff_created", obj=staff, after=snapshot(staff))
    return staff


@transaction.atomic
def skills_set(
    *,
    actor,
    staff: Staff,
    industries: dict[str, int],
    product_categories: dict[str, int],
    existing_customer_conversion_rate: Decimal,
) -> Staff:
    """Replace the skills matrix of one account manager (B7): industry expertise and product familiarity
    levels 1-5, and the existing-customer conversion rate (0-1)."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_ORG)
    errors = {}
    bad_industry = [code for code in industries if code not in Industry.values]
    if bad_industry:
        errors["industries"] = _("unknown industry code(s): %(codes)s") % {"codes": ", ".join(bad_industry)}
    bad_product = [code for code in product_categories if code not in ProductCategory.values]
    if bad_product:
        errors["product_categories"] = _("unknown product category: %(codes)s") % {"codes": ", ".join(bad_product)}
    if any(not 1 <= level <= 5 for level in [*industries.values(), *product_categories.values()]):
        errors["level"] = _("levels run from 1 to 5")
    try:
        rate = Decimal(str(existing_customer_conversion_rate)).quantize(Decimal("0.0001"))
    except (InvalidOperation, ValueError):
        rate = None
    if rate is None or not Decimal(0) <= rate <= Decimal(1):
        errors["existing_customer_conversion_rate"] = _("conversion rate is between 0 and 1")
    if errors:
        raise ValidationError(errors)
    before = skills_snapshot(staff)
    IndustryExpertise.objects.filter(staff=staff).delete()
    ProductFamiliarity.objects.filter(staff=staff).delete()
    IndustryExpertise.objects.bulk_create(
        IndustryExpertise(staff=staff, industry=code, level=level) for code, level in industries.items()
    )
    ProductFamiliarity.objects.bulk_create(
        ProductFamiliarity(staff=staff, category=code, level=level) for code, level in product_categories.items()
    )
    SkillProfile.objects.update_or_create(staff=staff, defaults={"existing_customer_conversion_rate": rate})
    record_event(
        actor=acting.user, event_code="org.skills_updated", obj=staff, before=before, after=skills_snapshot(staff)
    )
    return staff


def skills_snapshot(staff: Staff) -> dict:
    profile = SkillProfile.objects.filter(staff=staff).first()
    return {
        "industries": dict(staff.industry_expertise.values_list("industry", "level")),
        "product_categories": dict(staff.product_familiarity.values_list("category", "level")),
        "existing_customer_conversion_rate": str(profile.existing_customer_conversion_rate) if profile else None,
    }


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`; returns the token row and the secret, which is never stored."""
    acting: Actor = actor_of(actor)
    if not acting.is_system and acting.user != user:
        require(acting, Perm.ISSUE_API_TOKEN)
    if not name.strip():
        raise ValidationError({"name": _("a token needs a name")})
    secret = "lp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=secret[:TOKEN_PREFIX_LENGTH], key_hash=_token_digest(secret)
    )
    record_event(
        actor=acting.user,
        event_code="org.api_token_issued",
        obj=token,
        after={"user": user.pk, "name": token.name, "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    acting = actor_of(actor)
    if not acting.is_system and acting.user != token.user:
        require(acting, Perm.ISSUE_API_TOKEN)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    record_event(actor=acting.user, event_code="org.api_token_revoked", obj=token, after={"revoked": True})
    return token


def api_token_authenticate(secret: str):
    """The user behind a bearer token, or None. Touches last_used_at at most once a minute."""
    if not secret or not secret.startswith("lp_"):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_digest(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

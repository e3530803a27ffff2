"""Writes to the organisation: regions, branches, teams, staff, skills matrix, API tokens.

Every function is one business action: keyword-only, one transaction, one audit record.
"""

import hashlib
import ipaddress
import logging
import secrets
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lendpilot.compliance.audit import record_event, snapshot
from lendpilot.core.money import MoneyError, to_money
from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.org.access import Actor, actor_of, actor_remember, require
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
from lendpilot.org.roles import DataScope, Perm, Role
from lendpilot.org.selectors import live_token_with_staff

TOKEN_PREFIX_LENGTH = 8

security_log = logging.getLogger("lendpilot.security")


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


# The sales ladder a promotion climbs one rung at a time.
PROMOTIONS = {Role.ACCOUNT_MANAGER: Role.TEAM_LEAD, Role.TEAM_LEAD: Role.REGIONAL_HEAD}
PROMOTION_FIELDS = ["role", "team_id", "region_id", "reports_to_id"]


@transaction.atomic
def staff_promote(*, actor, staff: Staff, role: str, reason: str, team: Team | None = None,
                  region: Region | None = None) -> Staff:
    """Move an active person one rung up the sales ladder: an account manager to team lead (of their own
    team unless another is named; a team has one lead) or a team lead to regional head (of their region
    unless another is named; a region has one head). A new team lead reports to the region's head and the
    team's account managers now report to them. The reason is kept in the audit record."""
    acting = actor_of(actor)
    require(acting, Perm.MANAGE_ORG)
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("a promotion needs its reason")})
    if not staff.is_active:
        raise ValidationError({"staff": _("only an active staff member is promoted")})
    if PROMOTIONS.get(staff.role) != role:
        raise ValidationError({"role": _("a promotion moves one step up: account manager to team lead, team lead "
                                         "to regional head")})
    before = snapshot(staff, PROMOTION_FIELDS)
    if role == Role.TEAM_LEAD:
        team = team or staff.team
        if team is not None and Staff.objects.filter(team=team, role=Role.TEAM_LEAD, is_active=True).exists():
            raise ValidationError({"team": _("team %(team)s already has a team lead") % {"team": team.name}})
    else:
        region = region or staff.region
        if region is not None and Staff.objects.filter(region=region, role=Role.REGIONAL_HEAD,
                                                       is_active=True).exists():
            raise ValidationError({"region": _("region %(region)s already has a regional head")
                                   % {"region": str(region)}})
    new_team, new_region = _placement(role=role, team=team, region=region)
    moved = 0
    if role == Role.TEAM_LEAD and new_team is not None:
        head = Staff.objects.filter(role=Role.REGIONAL_HEAD, region_id=new_team.region_id, is_active=True) \
            .order_by("pk").first()
        staff.reports_to = head or staff.reports_to
        moved = Staff.objects.filter(team=new_team, role=Role.ACCOUNT_MANAGER, is_active=True) \
            .exclude(pk=staff.pk).update(reports_to=staff)
    staff.role, staff.team, staff.region = role, new_team, new_region
    staff.save(update_fields=["role", "team", "region", "reports_to"])
    record_event(actor=acting.user, event_code="org.staff_updated", obj=staff, before=before,
                 after={**snapshot(staff, PROMOTION_FIELDS), "reason": reason.strip(), "promotion": True,
                        "now_reporting": moved})
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


_SCOPE_RANK = {DataScope.NONE: 0, DataScope.OWN: 1, DataScope.TEAM: 2, DataScope.REGION: 3, DataScope.ALL: 4}


def _password_fingerprint(user) -> str:
    return hashlib.sha256((user.password or "").encode()).hexdigest()


def _within_reach(acting: Actor, target: Actor) -> bool:
    """Whether a token for `target` sees no more than `acting` does: no wider data scope, and for a regional
    head or team lead, someone of its own region or team."""
    if _SCOPE_RANK[DataScope(target.scope)] > _SCOPE_RANK[DataScope(acting.scope)]:
        return False
    if acting.scope == DataScope.REGION:
        return target.staff is not None and acting.staff is not None and \
            target.staff.region_id == acting.staff.region_id
    if acting.scope == DataScope.TEAM:
        return target.staff is not None and acting.staff is not None and target.staff.team_id == acting.staff.team_id
    return acting.scope not in (DataScope.OWN, DataScope.NONE)


@transaction.atomic
def api_token_issue(*, actor, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a bearer token for `user`; returns the token row and the secret, which is never stored. The
    token expires after `days` (at most, and by default, LENDPILOT_API_TOKEN_DAYS). Issuing for someone
    else needs the permission and may not reach beyond the issuer's own permissions and data scope."""
    acting: Actor = actor_of(actor)
    if not acting.is_system and acting.user != user:
        require(acting, Perm.ISSUE_API_TOKEN)
        if not _within_reach(acting, actor_of(user)):
            raise PermissionDenied(_("a token may not reach beyond the issuer's own permissions and scope"))
    errors = {}
    if not name.strip():
        errors["name"] = _("a token needs a name")
    limit = settings.LENDPILOT_API_TOKEN_DAYS
    days = limit if days is None else days
    if not 1 <= days <= limit:
        errors["days"] = _("a token lives 1 to %(limit)s days") % {"limit": limit}
    if not user.is_active:
        errors["user"] = _("the user is deactivated")
    if errors:
        raise ValidationError(errors)
    secret = "lp_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=secret[:TOKEN_PREFIX_LENGTH], key_hash=_token_digest(secret),
        expires_at=timezone.now() + timedelta(days=days), password_fingerprint=_password_fingerprint(user),
    )
    record_event(
        actor=acting.user,
        event_code="org.api_token_issued",
        obj=token,
        after={"user": user.pk, "name": token.name, "prefix": token.prefix, "expires_at": token.expires_at},
    )
    security_log.info("api token issued: prefix=%s user=%s", token.prefix, user.get_username(),
                      extra={"event": "api_token_issued", "token_prefix": token.prefix, "user": user.get_username(),
                             "issued_by": acting.label, "days": days})
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


@transaction.atomic
def api_tokens_revoke_for_user(*, actor, user, reason: str) -> int:
    """Revoke every live token of `user` (a password change, a deactivation); one audit record."""
    acting = actor_of(actor)
    if not acting.is_system and acting.user != user:
        require(acting, Perm.ISSUE_API_TOKEN)
    live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    prefixes = list(live.values_list("prefix", flat=True))
    count = live.update(revoked_at=timezone.now())
    if count:
        record_event(actor=acting.user, event_code="org.api_token_revoked", object_type="auth.user",
                     object_id=user.pk, after={"revoked": count, "prefixes": prefixes, "reason": reason})
        security_log.info("api tokens revoked: user=%s count=%s reason=%s", user.get_username(), count, reason,
                          extra={"event": "api_tokens_revoked", "user": user.get_username(), "count": count,
                                 "reason": reason})
    return count


def _void_reason(token: ApiToken, staff: Staff | None) -> str:
    """Why a live, unexpired token may no longer be used, or "" when it may (`staff`: the user's staff
    record, read with the token)."""
    user = token.user
    if not user.is_active or (staff is not None and not staff.is_active):
        return "deactivated"
    if token.password_fingerprint != _password_fingerprint(user):
        return "password changed"
    return ""


def api_token_authenticate(secret: str, *, used_for: str = ""):
    """The user behind a bearer token, or None. An expired token is refused; a token whose user changed
    password or was deactivated is revoked on the spot (with every other token of that user). Each use is
    written to the security log; last_used_at is touched at most once a minute."""
    if not secret or not secret.startswith("lp_"):
        return None
    # token, user and staff record (with team and region, as the actor needs them) in one statement
    found = live_token_with_staff(_token_digest(secret))
    if found is None:
        return None
    token, staff = found
    now = timezone.now()
    if token.expires_at <= now:
        security_log.info("api token refused: prefix=%s user=%s expired", token.prefix, token.user.get_username(),
                          extra={"event": "api_token_refused", "token_prefix": token.prefix,
                                 "user": token.user.get_username(), "reason": "expired"})
        return None
    reason = _void_reason(token, staff)
    if reason:
        api_tokens_revoke_for_user(actor=None, user=token.user, reason=reason)
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    security_log.info("api token used: prefix=%s user=%s %s", token.prefix, token.user.get_username(), used_for,
                      extra={"event": "api_token_used", "token_prefix": token.prefix,
                             "user": token.user.get_username(), "used_for": used_for})
    actor_remember(token.user, staff)
    return token.user


def _ip_or_empty(value: str) -> str:
    value = (value or "").strip()
    if value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ValidationError({"ip_address": _("not an IP address")}) from None
    return value


@transaction.atomic
def login_lockout_clear(*, actor, username: str = "", ip_address: str = "") -> int:
    """Lift a sign-in lockout for a user name and/or a client address before its time runs out; returns
    the number of attempt records removed."""
    acting = actor_of(actor)
    require(acting, Perm.VIEW_AUDIT)
    username = (username or "").strip()[:150]
    ip_address = _ip_or_empty(ip_address)
    if not username and not ip_address:
        raise ValidationError({"username": _("name a user or an address to unlock")})
    cleared = 0
    if username:
        cleared += axes_reset(username=username)
    if ip_address:
        cleared += axes_reset(ip=ip_address)
    record_event(actor=acting.user, event_code="org.login_lockout_cleared", object_type="axes.accessattempt",
                 object_id=username or ip_address, after={"username": username, "ip_address": ip_address,
                                                          "cleared": cleared})
    security_log.info("sign-in lockout cleared by %s: username=%s ip=%s", acting.label, username, ip_address)
    return cleared

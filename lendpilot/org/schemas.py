"""Request and response shapes of the organisation API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from lendpilot.core.reference import Industry, ProductCategory
from lendpilot.core.schemas import Money, Text
from lendpilot.org.roles import DataScope, Role

RoleCode = Literal[tuple(Role.values)]
ScopeCode = Literal[tuple(DataScope.values)]
IndustryCode = Literal[tuple(Industry.values)]
ProductCategoryCode = Literal[tuple(ProductCategory.values)]
Level = Annotated[int, Field(ge=1, le=5, description="1 (novice) to 5 (expert)")]


class RegionOut(Schema):
    id: int
    code: str
    name_zh: str
    name_en: str


class TeamOut(Schema):
    id: int
    code: str
    name: str
    channel: str
    branch_id: int
    branch_code: str = Field(..., alias="branch.code")
    region_id: int
    member_count: int


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    role: RoleCode
    region_id: int | None
    team_id: int | None
    reports_to_id: int | None
    approval_level: int
    approval_limit: Money
    hired_on: date | None
    is_active: bool


class SkillsOut(Schema):
    industries: dict[str, int]
    product_categories: dict[str, int]
    existing_customer_conversion_rate: Decimal | None


class StaffDetailOut(StaffOut):
    skills: SkillsOut


class SkillsIn(Schema):
    """The whole skills matrix of one person; it replaces what was there."""

    industries: dict[IndustryCode, Level] = Field(
        default_factory=dict, description="GB/T 4754 section code (A-T) -> level 1-5"
    )
    product_categories: dict[ProductCategoryCode, Level] = Field(
        default_factory=dict, description="product category -> level 1-5"
    )
    existing_customer_conversion_rate: Annotated[
        Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, allow_inf_nan=False)
    ] = Field(..., description="share of existing customers converted, 0 to 1")


class MeOut(Schema):
    username: str
    role: RoleCode | None
    scope: ScopeCode
    permissions: list[str]
    staff: StaffOut | None


class TokenIn(Schema):
    name: Text(100, min_length=1) = Field(..., description="what the token is for, e.g. core-banking feed")
    days: int | None = Field(None, ge=1, le=365, description="days until it expires (default and most: 90)")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenIssuedOut(TokenOut):
    secret: str = Field(..., description="the bearer secret; shown this once, never stored")

"""Request and response shapes of the customer API. Answers carry identifiers masked only; the clear
value comes from the reveal endpoint, which logs the access."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from lendpilot.core.reference import Industry
from lendpilot.core.schemas import Id, Text
from lendpilot.customers.models import Customer
from lendpilot.customers.pii import PII_FIELDS, RevealPurpose

KindCode = Literal[tuple(Customer.Kind.values)]
LifecycleCode = Literal[tuple(Customer.Lifecycle.values)]
IndustryCode = Literal[tuple(Industry.values)]
PiiField = Literal[tuple(PII_FIELDS)]

Name = Text(100, min_length=1)
Identifier = Text(40)


class CustomerOut(Schema):
    id: int
    kind: KindCode
    name: str
    id_number_masked: str = Field(..., description="resident ID number, masked")
    credit_code: str = Field(..., description="unified social credit code (public for enterprises)")
    phone_masked: str
    bank_account_masked: str
    birth_date: date | None
    gender: str
    legal_representative: str
    industry: IndustryCode
    region_id: int
    city: str
    address: str
    manager_id: int
    manager_name: str = Field(..., alias="manager.name")
    lifecycle_status: LifecycleCode
    created_at: datetime
    updated_at: datetime


class CustomerCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: KindCode
    name: Name
    industry: IndustryCode = Field(..., description="GB/T 4754 section code, A-T")
    region_id: Id
    manager_id: Id | None = Field(
        None, description="relationship manager; defaults to the caller when the caller owns customers"
    )
    id_number: Identifier | None = Field(None, description="resident ID number (GB 11643); required for a person")
    credit_code: Identifier | None = Field(
        None, description="unified social credit code (GB 32100); required for an enterprise"
    )
    phone: Identifier | None = Field(None, description="mainland mobile number")
    bank_account: Identifier | None = None
    legal_representative: Text(50) = ""
    city: Text(50) = ""
    address: Text(200) = ""
    lifecycle_status: LifecycleCode = Customer.Lifecycle.PROSPECT.value


class CustomerUpdateIn(Schema):
    """Only the fields sent are changed. Send an empty phone or bank account to clear it. Identity (kind,
    ID number, credit code) is fixed; the relationship manager changes through reassign."""

    model_config = ConfigDict(extra="forbid")

    name: Name = None
    phone: Identifier = None
    bank_account: Identifier = None
    legal_representative: Text(50) = None
    industry: IndustryCode = None
    region_id: Id = None
    city: Text(50) = None
    address: Text(200) = None
    lifecycle_status: LifecycleCode = None


class ReassignIn(Schema):
    manager_id: Id
    reason: Text(200, min_length=1)


class RevealIn(Schema):
    field: PiiField
    purpose: Literal[tuple(RevealPurpose.values)] = Field(..., description="why the clear value is needed; logged")
    note: Text(200) = Field("", description="free text on the purpose; required for other")


class RevealOut(Schema):
    field: PiiField
    value: str

"""Reference code lists shared by every floor: industries (GB/T 4754-2017 sections), product
categories and repayment methods (FEATURES X1). Kept here, at the bottom floor, so that org's
skills matrix and products' catalogue speak the same codes without importing each other.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Industry(models.TextChoices):
    """国民经济行业分类 GB/T 4754-2017, the 20 sections."""

    AGRICULTURE = "A", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "B", _("Mining")
    MANUFACTURING = "C", _("Manufacturing")
    UTILITIES = "D", _("Electricity, heat, gas and water supply")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail trade")
    TRANSPORT = "G", _("Transport, storage and postal services")
    HOSPITALITY = "H", _("Accommodation and catering")
    IT = "I", _("Information transmission, software and IT services")
    FINANCE = "J", _("Finance")
    REAL_ESTATE = "K", _("Real estate")
    LEASING = "L", _("Leasing and business services")
    RESEARCH = "M", _("Scientific research and technical services")
    ENVIRONMENT = "N", _("Water conservancy, environment and public facilities management")
    RESIDENT_SERVICES = "O", _("Resident services, repair and other services")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sports and entertainment")
    PUBLIC_ADMIN = "S", _("Public administration, social security and social organisations")
    INTERNATIONAL = "T", _("International organisations")


class ProductCategory(models.TextChoices):
    CREDIT = "credit", _("Credit loan")
    MORTGAGE = "mortgage", _("Mortgage loan")
    BUSINESS = "business", _("Business loan")
    CONSUMER = "consumer", _("Consumer loan")
    EQUIPMENT_LEASING = "equipment_leasing", _("Equipment finance leasing")
    SUPPLY_CHAIN = "supply_chain", _("Supply-chain finance")


class RepaymentMethod(models.TextChoices):
    EQUAL_INSTALMENT = "equal_instalment", _("Equal instalment")
    EQUAL_PRINCIPAL = "equal_principal", _("Equal principal")
    INTEREST_FIRST = "interest_first", _("Interest first, principal at maturity")
    BULLET = "bullet", _("Principal and interest at maturity")

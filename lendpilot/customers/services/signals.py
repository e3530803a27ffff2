"""Feed signals of the portrait (B4): one GROUP BY over the feed records rebuilds `CustomerSignals`.
"""

import datetime as _dt
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Max,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from lendpilot.core.bulk_load import insert_select
from lendpilot.core.months import shift_month
from lendpilot.customers.models import (
    CustomerSignals,
    FeedRecord,
)

_MONEY_OUT = DecimalField(max_digits=16, decimal_places=2)


def signals_refresh(*, as_of: _dt.date) -> int:
    """Rebuild `CustomerSignals` from the feed records (B4) with one GROUP BY over the last two years:
    invoices and tax over 12 months, invoice growth (last 6 months against the 6 before), insured
    headcount now and its change over a year, online turnover and its peak month ratio, bureau enquiries
    over 6 months, red flags, debt at other lenders, equipment purchases over 12 months."""
    m12, m6, m1, m13, m3 = (shift_month(as_of, -n) for n in (11, 5, 0, 12, 2))
    zero = Value(Decimal("0"), output_field=_MONEY_OUT)

    def total(metric, since, until=None, fn=Sum):
        cond = Q(metric=metric, period__gte=since, period__lte=as_of)
        if until is not None:
            cond &= Q(period__lt=until)
        return Coalesce(fn("value", filter=cond), zero, output_field=_MONEY_OUT)

    grouped = (
        FeedRecord.objects.filter(period__gte=m13, period__lte=as_of).order_by().values("customer_id")
        .annotate(
            tax_invoice_12m=total("tax.invoice", m12),
            inv_recent=total("tax.invoice", m6),
            inv_prior=total("tax.invoice", m12, m6),
            tax_paid_12m=total("tax.paid", m12),
            headcount=total("si.headcount", m1, fn=Max),
            headcount_prev=total("si.headcount", m13, shift_month(as_of, -11), fn=Max),
            gmv=total("ec.gmv", m12),
            gmv_peak=total("ec.gmv", m12, fn=Max),
            gmv_months=Count("pk", filter=Q(metric="ec.gmv", period__gte=m12)),
            queries=total("bureau.queries", m6),
            red_flags=total("bureau.red_flags", m12, fn=Max),
            external_debt=total("bureau.external_debt", m3, fn=Max),
            equipment_n=Count("pk", filter=Q(metric="equipment.purchase", period__gte=m12)),
            equipment_amount=total("equipment.purchase", m12),
        )
        .values_list("customer_id", "tax_invoice_12m", "inv_recent", "inv_prior", "tax_paid_12m", "headcount",
                     "headcount_prev", "gmv", "gmv_peak", "gmv_months", "queries", "red_flags", "external_debt",
                     "equipment_n", "equipment_amount")
    )
    select = """customer_id, %s, tax_invoice_12m,
        CASE WHEN inv_prior > 0 THEN (inv_recent * 1.0) / inv_prior - 1 END,
        tax_paid_12m, CAST(headcount AS INTEGER), CAST(headcount - headcount_prev AS INTEGER),
        gmv, CASE WHEN gmv > 0 THEN (gmv_peak * gmv_months * 1.0) / gmv END,
        CAST(queries AS INTEGER), CAST(red_flags AS INTEGER), external_debt, equipment_n, equipment_amount"""
    with transaction.atomic():
        CustomerSignals.objects.all().delete()
        return insert_select(
            CustomerSignals,
            ["customer", "as_of", "tax_invoice_12m", "tax_invoice_growth", "tax_paid_12m", "headcount",
             "headcount_change", "ecommerce_gmv_12m", "ecommerce_peak_ratio", "bureau_queries_6m",
             "bureau_red_flags", "external_debt", "equipment_purchases_12m", "equipment_amount_12m"],
            grouped, prefix_params=[as_of], select=select)

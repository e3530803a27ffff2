"""Every write of market, one module per business area."""

from lendpilot.market.services.feedback import change_request_save, feedback_record
from lendpilot.market.services.figures import (
    competitor_move_record,
    competitor_save,
    figures_import,
    figures_preview,
    indicator_record,
    industry_save,
    lpr_record,
)
from lendpilot.market.services.pilots import pilot_decide, pilot_plan, pilot_results_record, pilot_start
from lendpilot.market.services.pricing import elasticity_estimate, pricing_check, pricing_decide

__all__ = [
    "change_request_save", "competitor_move_record", "competitor_save", "elasticity_estimate", "feedback_record",
    "figures_import", "figures_preview", "indicator_record", "industry_save", "lpr_record", "pilot_decide",
    "pilot_plan", "pilot_results_record", "pilot_start", "pricing_check", "pricing_decide",
]

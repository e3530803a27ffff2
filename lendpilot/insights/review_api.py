"""REST endpoints of the review cycle: funnel diagnostics, conversion analysis, action items and the
biweekly review report (B9, B10, B11, F2, F4)."""

from ninja import Router

router = Router()

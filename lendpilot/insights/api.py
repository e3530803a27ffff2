"""REST endpoints of the command centre: the metric catalogue, metric values and drill-downs (B9, F1)."""

from ninja import Router

router = Router()

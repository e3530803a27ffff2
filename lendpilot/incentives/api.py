"""REST endpoints of incentives (thin: parse, call a selector or service, return a schema)."""

from ninja import Router

router = Router()

"""REST endpoints of planning (thin: parse, call a selector or service, return a schema)."""

from ninja import Router

router = Router()

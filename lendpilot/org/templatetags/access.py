"""`actor|can:"PERM_NAME"` for role-aware pages; a template builtin (settings.TEMPLATES), so every
template has it without `{% load %}`."""

from django import template

from lendpilot.org.roles import Perm

register = template.Library()


@register.filter
def can(actor, permission_name: str) -> bool:
    """`{% if actor|can:"VIEW_CUSTOMERS" %}`: names a `Perm` attribute, so a typo fails loudly
    instead of hiding a menu entry."""
    if actor is None:
        return False
    return actor.can(getattr(Perm, permission_name))

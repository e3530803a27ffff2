"""The top bar's search: one box for customers (name, ID or mobile number, credit code), loans and loan
applications (by number), leads (by name) and staff (by name or employee number). Each kind is read through
its package's selector for the acting user, so a person finds only what the pages would show them; a kind
the role may not see is not searched at all."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lendpilot.customers.selectors import customers_visible
from lendpilot.lending.selectors import applications_visible, loans_visible
from lendpilot.org.access import Actor
from lendpilot.org.roles import Perm
from lendpilot.org.selectors import staff_visible
from lendpilot.sales.selectors import leads_visible

MAX_TERM = 100
PER_KIND = 10
"""At most this many hits of each kind; the kind's own list page searches further."""


@dataclass(frozen=True)
class Hit:
    label: str
    detail: str
    url: str
    hit_id: str


@dataclass
class Results:
    term: str
    kinds: list[tuple[str, list[Hit]]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(hits) for _kind, hits in self.kinds)


def _customers(actor: Actor, term: str) -> list[Hit]:
    return [Hit(c.name, str(c.get_kind_display()), reverse("customers:detail", args=[c.pk]), f"customer-{c.pk}")
            for c in customers_visible(actor, search=term)[:PER_KIND]]


def _loans(actor: Actor, term: str) -> list[Hit]:
    loans = loans_visible(actor).filter(number__icontains=term)[:PER_KIND]
    applications = applications_visible(actor).filter(number__icontains=term).select_related("applicant")[:PER_KIND]
    return ([Hit(loan.number, loan.borrower.name, reverse("lending:loan", args=[loan.pk]), f"loan-{loan.pk}")
             for loan in loans]
            + [Hit(a.number, a.applicant.name, reverse("lending:application", args=[a.pk]), f"application-{a.pk}")
               for a in applications])


def _leads(actor: Actor, term: str) -> list[Hit]:
    return [Hit(lead.name, str(lead.get_source_display()),
                f"{reverse('sales:leads')}?{urlencode({'q': lead.name})}", f"lead-{lead.pk}")
            for lead in leads_visible(actor, search=term)[:PER_KIND]]


def _staff(actor: Actor, term: str) -> list[Hit]:
    return [Hit(s.name, f"{s.employee_no} · {s.get_role_display()}", reverse("org:staff_detail", args=[s.pk]),
                f"staff-{s.pk}")
            for s in staff_visible(actor, search=term)[:PER_KIND]]


def search(actor: Actor, term: str) -> Results:
    """What the acting person may find for `term` (trimmed, at most MAX_TERM characters), kind by kind."""
    term = term.strip()[:MAX_TERM]
    results = Results(term=term)
    if not term:
        return results
    kinds = (
        (_("Customers"), actor.can(Perm.VIEW_CUSTOMERS), _customers),
        (_("Loans and applications"), actor.can(Perm.VIEW_LENDING), _loans),
        (_("Leads"), actor.can(Perm.VIEW_SALES) or actor.can(Perm.CREATE_LEAD), _leads),
        (_("Staff"), actor.can(Perm.VIEW_STAFF), _staff),
    )
    for title, allowed, find in kinds:
        if allowed:
            results.kinds.append((str(title), find(actor, term)))
    return results

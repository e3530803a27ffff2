"""The partner portal page: submit a lead or an application request, follow the partner's own
submissions with their progress and fees. Nothing bank-wide is shown here."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from lendpilot.core.views import paginate
from lendpilot.org.access import actor_of
from lendpilot.sales.intake.forms import ApplicationRequestForm, LeadForm
from lendpilot.sales.models import Lead
from lendpilot.sales.notices import notify
from lendpilot.sales.partner.selectors import partner_leads, require_partner, submissions, summary
from lendpilot.sales.services.leads import LeadTerms, lead_create


@login_required
def partner_portal(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request.user)
    require_partner(actor)
    kind = request.POST.get("kind_of_submission") or request.GET.get("kind") or Lead.Submission.LEAD
    if kind not in Lead.Submission.values:
        kind = Lead.Submission.LEAD
    form_class = ApplicationRequestForm if kind == Lead.Submission.APPLICATION else LeadForm
    region = actor.staff.region if actor.staff is not None else None
    form = form_class(request.POST or None, region=region, partner=True)
    if request.method == "POST" and form.is_valid():
        values = form.lead_values()
        terms = LeadTerms(kind, values.pop("term_months", None), values.pop("purpose", ""))
        try:
            lead = lead_create(actor=request.user, terms=terms, **values)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            text = (_("Application request for %(name)s received; the bank's account manager will contact the "
                      "customer, and its progress shows in your submissions.")
                    if kind == Lead.Submission.APPLICATION else
                    _("Lead %(name)s received; its progress shows in your submissions.")) % {"name": lead.name}
            notify(request, text, url=reverse("sales:partner_portal") + "#partner-submissions",
                   link=_("See your submissions"))
            return redirect(reverse("sales:partner_portal") + f"?kind={kind}")
    rows = submissions(actor)
    page = paginate(request, partner_leads(actor))
    on_page = {lead.pk for lead in page}
    return render(request, "sales/partner_portal.html", {
        "form": form, "kind": kind, "summary": summary(rows), "page_obj": page,
        "page_rows": [row for row in rows if row.lead.pk in on_page]})

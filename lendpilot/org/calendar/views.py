"""Pages of the business calendar: the years with their status, one year's moved days (add, change,
remove), and the import of an official arrangement with a preview."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lendpilot.core.business_calendar import year_calendar
from lendpilot.core.views import flash_errors
from lendpilot.org.access import actor_of, require
from lendpilot.org.calendar import csv_format, selectors, services
from lendpilot.org.calendar.forms import CalendarDayForm, CalendarImportForm
from lendpilot.org.roles import Perm


@login_required
def calendar_overview(request):
    actor = actor_of(request.user)
    today = timezone.localdate()
    return render(request, "org/calendar/overview.html", {
        "years": selectors.calendar_years(actor, around=today.year),
        "provisional_ahead": selectors.provisional_years_ahead(today=today),
    })


@login_required
def calendar_year(request, year: int):
    actor = actor_of(request.user)
    if not services.FIRST_YEAR <= year <= services.LAST_YEAR:
        raise Http404
    form = CalendarDayForm(request.POST or None, initial={"day": date(year, 1, 1)})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.calendar_day_set(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(day)s is now: %(kind)s.") % {"day": row.day, "kind": row.get_kind_display()})
            return redirect("org:calendar_year", year=row.day.year)
    return render(request, "org/calendar/year.html", {
        "year": year, "official": year_calendar(year).official,
        "days": selectors.calendar_days(actor, year=year), "form": form,
    })


@login_required
@require_POST
def calendar_day_remove(request, year: int):
    actor = actor_of(request.user)
    try:
        day = date.fromisoformat(request.POST.get("day", ""))
        services.calendar_day_remove(actor=actor, day=day)
    except ValueError:
        messages.error(request, _("Not a date."))
    except ValidationError as exc:
        flash_errors(request, exc, name_fields=False)
    else:
        messages.success(request, _("%(day)s follows the ordinary week again.") % {"day": day})
    return redirect("org:calendar_year", year=year)


@login_required
def calendar_import(request):
    actor = actor_of(request.user)
    require(actor, Perm.MANAGE_CALENDAR)
    form = CalendarImportForm(request.POST or None, request.FILES or None,
                              initial={"year": timezone.localdate().year + 1})
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            text = csv_format.decode(data["file"].read()) if data["file"] else data["content"]
        except ValueError as exc:
            form.add_error("file", str(exc))
            text = ""
        if not text and not form.errors:
            form.add_error("file", _("Choose the CSV file of the arrangement."))
        if text:
            rows, errors = csv_format.parse_arrangement(text, year=data["year"])
            preview = {"rows": rows, "errors": errors, "content": text,
                       "holidays": sum(r.kind == csv_format.HOLIDAY for r in rows),
                       "workdays": sum(r.kind == csv_format.WORKDAY for r in rows)}
            if "confirm" in request.POST and not errors:
                try:
                    services.calendar_year_import(actor=actor, year=data["year"], rows=rows,
                                                  source_document=data["source_document"],
                                                  published_on=data["published_on"])
                except ValidationError as exc:
                    form.add_service_errors(exc)
                else:
                    messages.success(request, _(
                        "The official arrangement of %(year)d is in force: %(holidays)d holidays and %(workdays)d "
                        "adjusted working days. Open deadlines of that year move to it in tonight's batch."
                    ) % {"year": data["year"], "holidays": preview["holidays"], "workdays": preview["workdays"]})
                    return redirect("org:calendar_year", year=data["year"])
    return render(request, "org/calendar/import.html", {"form": form, "preview": preview})

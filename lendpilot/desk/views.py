"""The search page behind the top bar's search box (`lendpilot.desk.search`)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from lendpilot.desk.search import MAX_TERM, search
from lendpilot.org.access import actor_of


@login_required
def search_page(request):
    term = request.GET.get("q", "")
    too_long = len(term.strip()) > MAX_TERM
    results = search(actor_of(request.user), term)
    return render(request, "core/search.html", {"results": results, "search_term": results.term,
                                                "too_long": too_long})

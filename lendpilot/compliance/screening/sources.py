"""Where re-screening finds its subjects. A package above compliance that holds people to screen (the
customer book) registers a page function with `@subject_source("customers")` in its services module; the
re-screen after a list update discovers the `services` modules of the installed apps (as `manage.py bench`
discovers benchmarks) and pages through every registered source. Compliance never imports those packages:
the source hands it plain `Subject` values.

A page function takes `(after, limit)` and returns the pairs `(key, Subject)` of up to `limit` keys greater than
`after`, in ascending key order (the primary key of the row screened; one row may give several subjects, e.g. an
enterprise and its legal representative, all under the same key). Fewer than `limit` keys ends the sweep.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.module_loading import autodiscover_modules

from lendpilot.compliance.screening.names import Subject

SubjectPage = Callable[[int, int], list[tuple[int, Subject]]]
_SOURCES: dict[str, SubjectPage] = {}


def subject_source(name: str) -> Callable[[SubjectPage], SubjectPage]:
    def register(func: SubjectPage) -> SubjectPage:
        _SOURCES[name] = func
        return func

    return register


def subject_sources() -> dict[str, SubjectPage]:
    autodiscover_modules("services")
    return dict(sorted(_SOURCES.items()))

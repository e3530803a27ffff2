"""Every API schema has a name of its own: the OpenAPI document keys its components by class name,
so two schemas with one name would silently describe one endpoint's answer with the other's shape."""

from collections import defaultdict

import ninja

from lendpilot.api import api


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_api_schema_class_names_are_unique():
    assert api.get_openapi_schema()  # imports every router and its schemas
    modules_of = defaultdict(set)
    for schema in _subclasses(ninja.Schema):
        if schema.__module__.startswith("lendpilot.") and ".tests" not in schema.__module__:
            modules_of[schema.__name__].add(schema.__module__)
    clashes = {name: sorted(modules) for name, modules in modules_of.items() if len(modules) > 1}
    assert clashes == {}

"""The standard tag catalogue (B4): over 200 tags across all themes, each with a rule that compiles."""

from collections import Counter
from datetime import date

from lendpilot.customers import rules
from lendpilot.customers.models import TagDefinition
from lendpilot.customers.tag_catalogue import catalogue


def test_catalogue_has_200_tags_across_every_theme_with_unique_codes_and_names():
    tags = catalogue()
    assert len(tags) >= 200
    assert set(Counter(t.theme for t in tags)) == set(TagDefinition.Theme.values)
    assert len({t.code for t in tags}) == len(tags) and len({t.name_zh for t in tags}) == len(tags)
    for name in ("制造业", "华东", "扩产需求", "逾期"):
        assert name in {t.name_zh for t in tags}


def test_every_catalogue_rule_compiles_and_sources_cover_the_feeds():
    sources = set()
    for tag in catalogue():
        rules.compile_rule(tag.rule, as_of=date(2025, 6, 30))
        sources |= {rules.FIELDS[f].source for f in rules.fields_of(tag.rule)}
    assert {"internal", "tax", "social_insurance", "ecommerce", "bureau", "questionnaire"} <= sources

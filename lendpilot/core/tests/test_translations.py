"""The Simplified Chinese catalogue is complete: every message has a translation, none is fuzzy,
and the compiled .mo that ships says the same as the .po."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgctxt, msgid, msgid_plural and msgstr forms (obsolete ones skipped)."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += text
                else:
                    entry[key[0]] += text
            else:
                keyword, _, literal = line.partition(" ")
                text = ast.literal_eval(literal)
                if keyword.startswith("msgstr"):
                    index = int(keyword[7:-1]) if "[" in keyword else 0
                    key = ("msgstr", index)
                    entry["msgstr"][index] = text
                else:
                    key = (keyword, None)
                    entry[keyword] = text
        if entry["msgid"] is not None:
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def entries():
    return read_po(LOCALE / "django.po")


def test_header_is_not_fuzzy_and_declares_utf8(entries):
    header = entries[0]
    assert header["msgid"] == ""
    assert "fuzzy" not in header["flags"]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_every_message_is_translated_and_none_is_fuzzy(entries):
    messages = entries[1:]
    assert len(messages) > 100
    untranslated = [e["msgid"] for e in messages if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_placeholders_survive_translation(entries):
    import re

    placeholder = re.compile(r"%\(\w+\)s")
    for entry in entries[1:]:
        for translated in entry["msgstr"].values():
            assert sorted(placeholder.findall(translated)) == sorted(placeholder.findall(entry["msgid"])), entry


def test_compiled_catalogue_matches_the_po(entries):
    with (LOCALE / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = []
    for entry in entries[1:]:
        context = entry["msgctxt"]
        if entry["msgid_plural"] is None:
            found = (catalogue.pgettext(context, entry["msgid"]) if context is not None
                     else catalogue.gettext(entry["msgid"]))
        elif context is not None:
            found = catalogue.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
        else:
            found = catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
        if found != entry["msgstr"][0]:
            stale.append(entry["msgid"])
    assert stale == [], f"django.mo is out of date, run compilemessages: {stale[:10]}"


def test_django_uses_the_catalogue():
    from django.utils import translation

    from lendpilot.org.roles import Role

    with translation.override("zh-hans"):
        assert str(Role.ACCOUNT_MANAGER.label) == "客户经理"
    with translation.override("en"):
        assert str(Role.ACCOUNT_MANAGER.label) == "Account manager"

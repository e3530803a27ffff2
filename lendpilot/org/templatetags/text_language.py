"""`{{ text|text_lang }}`: the language of a piece of free text a person wrote (a note, a reason), for the `lang`
attribute of the element that shows it, so that a reader's tools (and the page-language check) know an
English note on a Chinese page, or a Chinese one on an English page, is quoted as written."""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")


@register.filter
def text_lang(text) -> str:
    """"zh-Hans" when the text has Chinese, "en" when it has Latin letters and no Chinese, "" otherwise."""
    value = str(text or "")
    if CJK.search(value):
        return "zh-Hans"
    return "en" if LATIN.search(value) else ""


ACRONYM = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]\b")


@register.filter
def acronyms_kept(text) -> str:
    """Free text (a figure's source, say) with its acronyms marked not to be translated: `全国银行间同业拆借中心
    (NIFC)` keeps `NIFC` as the publisher writes it, in either language."""
    value = conditional_escape(str(text or ""))
    return mark_safe(ACRONYM.sub(lambda m: f'<abbr translate="no">{m.group(0)}</abbr>', value))  # noqa: S308

"""Help texts of forms that show what to type: file column names and references as code, the
Chinese a file or a field accepts marked as Chinese (an English page quotes it as written)."""

from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext


def _codes(values: tuple[str, ...], lang: str) -> SafeString:
    attribute = format_html(' lang="{}"', lang) if lang else ""
    # The separator of a list in the reader's language ("、" in Chinese).
    return format_html_join(pgettext("list separator", ", "), "<code{}>{}</code>",
                            ((attribute, value) for value in values))


_codes_lazy = lazy(_codes, SafeString)


def code(*values: str, lang: str = ""):
    """`<code>a</code>, <code>b</code>`: what a user types, as it must be typed (`lang` for Chinese values)."""
    return _codes_lazy(values, lang)


def chinese(text: str) -> SafeString:
    return format_html('<span lang="zh-Hans">{}</span>', text)


def _marked(text, parts: dict) -> SafeString:
    return format_html(str(text), **parts)


_marked_lazy = lazy(_marked, SafeString)


def marked_help(text, **parts: SafeString):
    """A translated help text (`{name}` placeholders) filled with markup, translated when the form renders."""
    return _marked_lazy(text, parts)

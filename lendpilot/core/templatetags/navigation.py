"""The top bar's menu groups and the breadcrumbs (`core/navigation.py` names the groups and sections).

- `{% nav_trail as nav %}`: the current page's group and section, the group labels, and the breadcrumb trail.
- `{% navitems as name %}...{% endnavitems %}`: renders the menu entries of a group into `name`, so the group
  (its toggle and drop-down) is left out when the role may use none of its entries.
"""

from dataclasses import dataclass, field

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString

from lendpilot.core.navigation import DESK, GROUPS, Section, section_of

register = template.Library()


@dataclass
class Crumb:
    label: str
    url: str | None = None
    permission: str = ""  # a `Perm` name: the trail links to the page only for a reader who may open it


@dataclass
class Trail:
    group: str | None
    section: Section | None
    groups: dict = field(default_factory=dict)
    crumbs: list[Crumb] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def nav_trail(context) -> Trail:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    section = section_of(view_name)
    trail = Trail(group=section.group if section else None, section=section, groups=GROUPS)
    if section is None or view_name == "home":
        return trail
    if section.group != DESK:  # the trail starts at the desk anyway
        trail.crumbs.append(Crumb(str(GROUPS[section.group])))
    if view_name == section.view_name:
        trail.crumbs.append(Crumb(str(section.label)))
        return trail
    try:
        url = reverse(section.view_name)
    except NoReverseMatch:
        url = None
    trail.crumbs.append(Crumb(str(section.label), url, section.permission))
    return trail


class CaptureNode(template.Node):
    def __init__(self, nodelist, name: str):
        self.nodelist = nodelist
        self.name = name

    def render(self, context) -> str:
        rendered = self.nodelist.render(context).strip()
        context[self.name] = SafeString(rendered) if rendered else ""
        return ""


@register.tag
def navitems(parser, token):
    """`{% navitems as lending %}<li>…</li>{% endnavitems %}` then `{% if lending %}…{{ lending }}…{% endif %}`."""
    bits = token.split_contents()
    if len(bits) != 3 or bits[1] != "as":
        raise template.TemplateSyntaxError("usage: {% navitems as name %}...{% endnavitems %}")
    nodelist = parser.parse(("endnavitems",))
    parser.delete_first_token()
    return CaptureNode(nodelist, bits[2])


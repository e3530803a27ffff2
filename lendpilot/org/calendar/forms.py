"""Forms of the business-calendar pages."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from lendpilot.core.forms import BootstrapForm
from lendpilot.core.models import CalendarDay
from lendpilot.org.help_text import chinese, code, marked_help

MAX_FILE_BYTES = 200_000


class CalendarDayForm(BootstrapForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=60, required=False,
                           help_text=_("For example 春节 or 国庆节."))
    source_document = forms.CharField(label=_("Source document"), max_length=200, required=False)


class CalendarImportForm(BootstrapForm):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    source_document = forms.CharField(
        label=_("Source document"), max_length=200,
        help_text=marked_help(_("For example {document}."),
                              document=chinese("国务院办公厅关于2027年部分节假日安排的通知")))
    published_on = forms.DateField(label=_("Published on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("CSV file"), required=False,
                           help_text=marked_help(_("Columns {columns} (or {chinese_columns}); {kind} is {holiday} or "
                                                   "{workday}. UTF-8 or GBK."),
                                                 columns=code("date", "kind", "name"),
                                                 chinese_columns=code("日期", "类型", "名称", lang="zh-Hans"),
                                                 kind=code("kind"),
                                                 holiday=format_html("{}/{}", code("holiday"),
                                                                     code("休", lang="zh-Hans")),
                                                 workday=format_html("{}/{}", code("workday"),
                                                                     code("班", lang="zh-Hans"))))
    # The previewed file travels back with the confirmation, so what is confirmed is what was shown.
    content = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 200 KB."))
        return upload

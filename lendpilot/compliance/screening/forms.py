"""Forms of the screening pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.compliance.screening.models import ScreeningHit
from lendpilot.core.forms import BootstrapForm
from lendpilot.org.help_text import chinese, code, marked_help

MAX_FILE_BYTES = 20_000_000


class WatchListImportForm(BootstrapForm):
    name = forms.CharField(label=_("List"), max_length=100,
                           help_text=marked_help(_("For example {un_list} or an internal watch list."),
                                                 un_list=chinese("联合国安理会制裁名单")))
    version = forms.CharField(label=_("Version"), max_length=40, help_text=_("The version or publication date."))
    source = forms.CharField(label=_("Source"), max_length=200, required=False)
    file = forms.FileField(label=_("File (CSV or Excel)"), required=False,
                           help_text=marked_help(_("Columns {columns} (or {chinese_columns}). Several aliases in one "
                                                   "cell are separated by {separator}"),
                                                 columns=code("name", "aliases", "id_numbers", "birth_date", "remark"),
                                                 chinese_columns=code("姓名", "别名", "证件号码", "出生日期", "备注",
                                                                      lang="zh-Hans"),
                                                 separator=code(";")))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class SubjectFileForm(BootstrapForm):
    file = forms.FileField(label=_("Subjects (CSV)"),
                           help_text=marked_help(_("Columns {columns}: customers, beneficial owners or partners to "
                                                   "screen against every list in use."),
                                                 columns=code("reference", "name", "id_number", "birth_date")))

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class HitProposalForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("Proposal"), choices=[
        (ScreeningHit.Status.CONFIRMED, _("Confirm: the subject is the listed person (freeze)")),
        (ScreeningHit.Status.CLEARED, _("Clear: a different person")),
    ])
    note = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

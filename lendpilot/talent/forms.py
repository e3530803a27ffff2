"""Page forms of talent. The candidate form asks only what the job needs: no question about marriage,
pregnancy or childbearing (a test scans these forms for one)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lendpilot.org.models import Certification
from lendpilot.org.roles import Role
from lendpilot.talent.models import Candidate, Curriculum, ReviewDecision, ReviewEntry, Skill, Source

LEVELS = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class RequisitionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    team = forms.IntegerField(label=_("Team"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.ACCOUNT_MANAGER)
    headcount = forms.IntegerField(label=_("Headcount"), min_value=1, max_value=50, initial=1)

    def profile(self, data) -> dict[str, tuple[int, int]]:
        """{skill: (weight, level)} from the profile rows the page posts as weight_<skill> and level_<skill>."""
        out = {}
        for skill in Skill.values:
            weight, level = data.get(f"weight_{skill}") or "", data.get(f"level_{skill}") or ""
            if weight.isdigit() and level.isdigit():
                out[skill] = (int(weight), int(level))
        return out


class CandidateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices)
    background = forms.CharField(label=_("Professional background"), max_length=100, required=False)

    @staticmethod
    def skills(data) -> dict[str, int]:
        return {s: int(data[f"skill_{s}"]) for s in Skill.values if (data.get(f"skill_{s}") or "").isdigit()}


class CandidateMoveForm(forms.Form):
    to_stage = forms.ChoiceField(label=_("Move to"), choices=Candidate.Stage.choices)


class ReviewStartForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"}))
    months = forms.TypedChoiceField(label=_("Months"), coerce=int, choices=[(3, "3"), (1, "1"), (6, "6"), (12, "12")])


class RateForm(forms.Form):
    potential = forms.TypedChoiceField(label=_("Potential"), coerce=int, choices=ReviewEntry.Level.choices)
    evidence = forms.CharField(label=_("Evidence"), max_length=1000)
    risk_of_loss = forms.TypedChoiceField(label=_("Risk of loss"), coerce=int, choices=ReviewEntry.Level.choices)
    impact_of_loss = forms.TypedChoiceField(label=_("Impact of loss"), coerce=int,
                                            choices=ReviewEntry.Level.choices)


class DecideForm(forms.Form):
    kind = forms.ChoiceField(label=_("Decision"),
                             choices=[c for c in ReviewDecision.Kind.choices if c[0] != ReviewDecision.Kind.CALIBRATE])
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class ConfirmPromotionForm(forms.Form):
    team = forms.IntegerField(label=_("Team to lead"), required=False, min_value=1)


class CalibrateForm(forms.Form):
    performance = forms.TypedChoiceField(label=_("Performance"), coerce=int, choices=ReviewEntry.Level.choices)
    potential = forms.TypedChoiceField(label=_("Potential"), coerce=int, choices=ReviewEntry.Level.choices)
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class CurriculumForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    layer = forms.ChoiceField(label=_("Layer"), choices=Curriculum.Layer.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=Curriculum.Topic.choices)
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=200, initial=8)


class CertificationForm(forms.Form):
    staff = forms.IntegerField(label=_("Staff member"))
    kind = forms.ChoiceField(label=_("Certification"), choices=Certification.Kind.choices)
    obtained_on = forms.DateField(label=_("Obtained on"), widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label=_("Expires on"), widget=forms.DateInput(attrs={"type": "date"}))

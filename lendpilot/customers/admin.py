"""Customers in the back office, read-only and masked: changes go through the customer services."""

from django import forms
from django.contrib import admin
from django.utils import timezone

from lendpilot.core.admin import ReadOnlyAdmin
from lendpilot.customers import rules, services
from lendpilot.customers.models import (
    Customer,
    Question,
    Questionnaire,
    ServicePackage,
    TagDefinition,
    TierChange,
    TierPolicy,
)


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "kind", "id_number_masked", "credit_code", "phone_masked", "industry", "region",
                    "manager", "lifecycle_status")
    list_filter = ("kind", "lifecycle_status", "industry", "region")
    search_fields = ("name", "credit_code")
    exclude = ("id_number_cipher", "id_number_hash", "phone_cipher", "phone_hash", "bank_account_cipher",
               "bank_account_hash")


# --- portrait reference data (B2, B4, D1) -------------------------------------------------------------------

class TagDefinitionForm(forms.ModelForm):
    class Meta:
        model = TagDefinition
        fields = ["code", "name_zh", "name_en", "theme", "source", "rule", "active"]

    def clean_rule(self):
        rule = self.cleaned_data["rule"]
        try:
            rules.compile_rule(rule, as_of=timezone.localdate())
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None
        return rule


@admin.register(TagDefinition)
class TagDefinitionAdmin(admin.ModelAdmin):
    """Saved through `tag_define`: the rule is checked, a changed rule bumps the version, the tag is recomputed
    and the change audited."""

    form = TagDefinitionForm
    list_display = ("code", "name_zh", "theme", "source", "version", "active", "member_count")
    list_filter = ("theme", "source", "active")
    search_fields = ("code", "name_zh", "name_en", "rule")
    readonly_fields = ("version", "member_count", "computed_at")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.tag_define(actor=request.user, code=data["code"], name_zh=data["name_zh"],
                                    name_en=data["name_en"], theme=data["theme"], rule=data["rule"],
                                    source=data["source"], active=data["active"])
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: segments and history refer to tags by code


class TierPolicyForm(forms.ModelForm):
    class Meta:
        model = TierPolicy
        fields = ["strategic_min", "growth_min", "high_value_clv", "note"]

    def clean(self):
        data = super().clean()
        if data.get("strategic_min") is not None and data.get("growth_min") is not None \
                and data["strategic_min"] <= data["growth_min"]:
            self.add_error("strategic_min", "must be above the growth threshold")
        return data


@admin.register(TierPolicy)
class TierPolicyAdmin(admin.ModelAdmin):
    """A new policy row per change (the newest applies), written by `tier_policy_set` (audited)."""

    form = TierPolicyForm
    list_display = ("id", "strategic_min", "growth_min", "high_value_clv", "note", "created_at")

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.tier_policy_set(actor=request.user, **form.cleaned_data)
        obj.pk = saved.pk


@admin.register(ServicePackage)
class ServicePackageAdmin(admin.ModelAdmin):
    list_display = ("tier", "dedicated_manager", "response_sla_hours", "pricing_band", "review_every_months")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    can_delete = False
    fields = ("position", "code", "label_zh", "label_en", "kind", "choices", "required", "min_value", "max_value")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Questionnaire)
class QuestionnaireAdmin(ReadOnlyAdmin):
    """Versions are published through `questionnaire_publish`; answers keep pointing at their version."""

    list_display = ("code", "version", "title", "active", "created_at")
    inlines = [QuestionInline]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ("customer", "from_tier", "to_tier", "reason", "batch", "changed_on")
    list_filter = ("to_tier", "changed_on")

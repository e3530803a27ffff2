"""妇女权益保障法 (2023) Art. 43: recruiting may not ask about marriage, pregnancy or childbearing. The candidate
models, page forms and API schemas are scanned for a field whose name or label touches one."""

import re

from django.utils import translation

from lendpilot.talent import forms, models, schemas

FORBIDDEN = re.compile(r"marri|marital|spouse|wedding|pregnan|maternity|childbear|childbirth|children|child|"
                       r"fertility|birth_plan|婚|孕|育|生子|子女", re.IGNORECASE)
CANDIDATE_MODELS = (models.Candidate, models.CandidateSkill, models.CandidateTransition, models.Requisition)
CANDIDATE_FORMS = (forms.CandidateForm, forms.CandidateMoveForm, forms.RequisitionForm)
CANDIDATE_SCHEMAS = (schemas.CandidateIn, schemas.CandidateOut, schemas.CandidateSkillIn, schemas.RequisitionIn)


def _texts() -> list[str]:
    texts = []
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for model in CANDIDATE_MODELS:
                texts += [f"{model.__name__}.{f.name}: {getattr(f, 'verbose_name', '')}"
                          for f in model._meta.get_fields()]
            for form in CANDIDATE_FORMS:
                texts += [f"{form.__name__}.{name}: {field.label}" for name, field in form.base_fields.items()]
    for schema in CANDIDATE_SCHEMAS:
        texts += [f"{schema.__name__}.{name}: {field.alias or ''} {field.description or ''}"
                  for name, field in schema.model_fields.items()]
    return texts


def test_no_candidate_field_asks_about_marriage_pregnancy_or_childbearing():
    hits = [t for t in _texts() if FORBIDDEN.search(t)]
    assert not hits, f"forbidden recruiting questions: {hits}"


def test_the_scan_sees_a_forbidden_field():
    assert FORBIDDEN.search("Candidate.marital_status: Marital status")
    assert FORBIDDEN.search("CandidateIn.plans: 是否已婚已育")
    assert len(_texts()) > 20

"""Leads in through the pages: the new-lead form and the kanban's quick-create (a lead a manager found
stays with that manager unless handed over), the lead file import with preview, row errors and
de-duplication (all or nothing), and roles without the right change nothing."""

import io
import random

import pytest
from openpyxl import Workbook

from lendpilot.compliance.models import AuditEvent
from lendpilot.customers.synthetic import make_id_number, make_mobile
from lendpilot.sales.funnel import Node
from lendpilot.sales.models import Lead, Opportunity
from lendpilot.sales.tests.factories import new_lead

pytestmark = pytest.mark.django_db
_rng = random.Random(7)


def lead_form(world, **overrides):
    data = {"kind": "person", "name": "新客户甲", "phone": make_mobile(_rng), "id_number": "", "credit_code": "",
            "industry": "C", "region": world.regions["east"].pk, "product": world.products["credit"].pk,
            "amount_wanted": "150000", "source": "direct", "source_detail": ""}
    data.update(overrides)
    return data


def test_a_lead_the_manager_found_becomes_the_manager_s_opportunity(world, client):
    client.force_login(world.user("am_wang"))
    assert client.get("/sales/leads/new/").status_code == 200
    answer = client.post("/sales/leads/new/", lead_form(world), follow=True)
    lead = Lead.objects.get(name="新客户甲")
    assert lead.status == Lead.Status.CONVERTED and lead.owner == world.staff["am_wang"]
    opp = Opportunity.objects.get(lead=lead)
    assert opp.owner == world.staff["am_wang"] and opp.node == Node.SCREENING
    assert f'href="/sales/opportunities/{opp.pk}/"' in answer.content.decode()  # the message links the next step


def test_a_handed_over_lead_waits_for_assignment(world, client):
    client.force_login(world.user("am_wang"))
    client.post("/sales/leads/new/", lead_form(world, name="转交客户", hand_over="on"))
    lead = Lead.objects.get(name="转交客户")
    assert lead.status == Lead.Status.QUALIFIED and lead.owner is None
    assert not Opportunity.objects.filter(lead=lead).exists()


def test_a_team_lead_s_lead_goes_to_the_inbox_with_a_link_to_assignment(world, client):
    client.force_login(world.user("east_a_lead"))
    answer = client.post("/sales/leads/new/", lead_form(world, name="组长线索"), follow=True)
    assert Lead.objects.get(name="组长线索").status == Lead.Status.QUALIFIED
    assert 'href="/sales/assignment/"' in answer.content.decode()


def test_form_errors_name_the_field_and_store_nothing(world, client):
    client.force_login(world.user("am_wang"))
    answer = client.post("/sales/leads/new/", lead_form(world, phone="123", name="坏号码"))
    assert answer.status_code == 200 and 'data-field="phone"' in answer.content.decode()
    assert not Lead.objects.filter(name="坏号码").exists()


def test_quick_create_on_the_kanban(world, client):
    client.force_login(world.user("am_wang"))
    assert 'id="quick-lead-form"' in client.get("/sales/").content.decode()
    answer = client.post("/sales/leads/quick/", {"quick-kind": "person", "quick-name": "快速客户",
                                                 "quick-phone": make_mobile(_rng), "quick-industry": "F",
                                                 "quick-amount_wanted": "80000"}, follow=True)
    opp = Opportunity.objects.get(name="快速客户")
    assert opp.owner == world.staff["am_wang"]
    assert f'data-opportunity="{opp.pk}"' in answer.content.decode()


@pytest.mark.parametrize("user", ["risk_l1", "operations", "partner"])
def test_roles_without_the_right_cannot_create_leads_here(world, client, user):
    client.force_login(world.user(user))
    assert client.post("/sales/leads/new/", lead_form(world, name="越权")).status_code == 403
    quick = {"quick-kind": "person", "quick-name": "越权", "quick-phone": make_mobile(_rng), "quick-industry": "F"}
    assert client.post("/sales/leads/quick/", quick).status_code == 403
    assert client.post("/sales/leads/import/", {"action": "apply", "rows": "[]"}).status_code == 403
    assert not Lead.objects.filter(name="越权").exists()


def csv_file(rows: list[list[str]]) -> io.BytesIO:
    text = "名称,类型,身份证号,手机号,行业,地区,产品,金额\n" + "\n".join(",".join(r) for r in rows) + "\n"
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = "leads.csv"
    return upload


def test_import_previews_row_errors_and_stores_nothing_until_clean(world, client):
    taken = new_lead(world)  # an open lead: the file's row with the same phone is a duplicate
    from lendpilot.compliance.crypto import decrypt

    phone_taken = decrypt(taken.phone_cipher)
    same = make_mobile(_rng)
    rows = [["导入甲", "个人", "", make_mobile(_rng), "C", "EAST", "CREDIT-01", "120000"],
            ["导入乙", "个人", "", same, "F", "", "", ""],
            ["导入乙重复", "个人", "", same, "F", "", "", ""],
            ["已有线索", "个人", "", phone_taken, "C", "", "", ""],
            ["坏金额", "个人", make_id_number(_rng), "", "C", "", "", "-5"]]
    client.force_login(world.user("east_a_lead"))
    before = Lead.objects.count()
    preview = client.post("/sales/leads/import/", {"action": "preview", "file": csv_file(rows)}).content.decode()
    assert 'data-outcome="error"' in preview and 'data-row="6"' in preview
    assert preview.count('data-outcome="duplicate"') == 2 and 'id="import-apply"' not in preview
    assert Lead.objects.count() == before
    clean = client.post("/sales/leads/import/", {"action": "preview", "file": csv_file(rows[:4])}).content.decode()
    assert 'id="import-apply"' in clean and Lead.objects.count() == before
    import html
    import re

    rows_json = html.unescape(re.search(r'<textarea name="rows"[^>]*>(.*?)</textarea>', clean, re.S).group(1))
    done = client.post("/sales/leads/import/", {"action": "apply", "rows": rows_json}, follow=True)
    assert done.status_code == 200
    assert set(Lead.objects.filter(name__startswith="导入").values_list("name", flat=True)) == {"导入甲", "导入乙"}
    assert Lead.objects.count() == before + 2
    assert AuditEvent.objects.filter(event_code="sales.leads_imported").count() == 1


def test_import_reads_excel(world, client):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "kind", "phone", "industry"])
    sheet.append(["表格客户", "enterprise", int(make_mobile(_rng)), "C"])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "leads.xlsx"
    client.force_login(world.user("am_wang"))
    preview = client.post("/sales/leads/import/", {"action": "preview", "file": data}).content.decode()
    assert 'data-outcome="new"' in preview and "表格客户" in preview
    assert not Lead.objects.filter(name="表格客户").exists()


def test_a_file_without_a_name_column_is_refused(world, client):
    upload = io.BytesIO(b"foo,bar\n1,2\n")
    upload.name = "x.csv"
    client.force_login(world.user("am_wang"))
    page = client.post("/sales/leads/import/", {"action": "preview", "file": upload}).content.decode()
    assert 'id="import-error"' in page

"""Screening pages: the compliance desk imports a list with a preview, screens a file, and two officers decide
a hit; other roles are refused."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lendpilot.compliance.screening.models import SanctionFreeze, ScreeningHit, WatchList
from lendpilot.conftest import PASSWORD
from lendpilot.org.roles import Role
from lendpilot.org.services import staff_create

LIST_CSV = "姓名,别名,证件号码,出生日期\nZHANG Wei,张伟,,\n欧阳晓明,,,1970-02-03\n".encode()
BAD_CSV = "姓名,出生日期\nZHANG Wei,someday\n".encode()
SUBJECTS_CSV = ("reference,name,id_number,birth_date\n"
                "customers.customer:1,章伟,,\ncustomers.customer:2,赵敏,,\n").encode()


def upload(content: bytes, name: str = "list.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_other_roles_cannot_open_the_desk(client, world):
    client.force_login(world.user("am_wang"))
    assert client.get(reverse("compliance:desk")).status_code == 403
    assert client.get(reverse("compliance:hits")).status_code == 403
    client.force_login(world.user("compliance"))
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-compliance"' in html
    assert client.get(reverse("compliance:desk")).status_code == 200


def test_import_with_preview_then_screen_then_two_officer_decision(client, world):
    client.force_login(world.user("compliance"))
    url = reverse("compliance:watch_list_import")
    form = {"name": "UN", "version": "2026-12", "source": ""}
    bad = client.post(url, {**form, "file": upload(BAD_CSV)})
    assert bad.status_code == 200 and "watchlist-errors" in bad.content.decode()
    preview = client.post(url, {**form, "file": upload(LIST_CSV)})
    assert WatchList.objects.count() == 0
    token = preview.context["preview"]["token"]
    done = client.post(url, {**form, "token": token, "confirm": "1"})
    assert done.status_code == 302 and WatchList.objects.get().entry_count == 2

    response = client.post(reverse("compliance:run_screening"), {"file": upload(SUBJECTS_CSV, "s.csv")})
    assert response.status_code == 302
    hit = ScreeningHit.objects.get()
    assert hit.subject_ref == "customers.customer:1"
    page = client.get(reverse("compliance:hit", args=[hit.pk]))
    assert page.status_code == 200
    client.post(reverse("compliance:hit", args=[hit.pk]), {"decision": "confirmed", "note": "same person"})
    client.post(reverse("compliance:hit_decide", args=[hit.pk]), {"approve": "1"})
    assert not SanctionFreeze.objects.exists()  # the proposer cannot approve
    staff_create(actor=None, username="compliance2", password=PASSWORD, name="复核", employee_no="E9002",
                 role=Role.COMPLIANCE_OFFICER)
    client.login(username="compliance2", password=PASSWORD)
    client.post(reverse("compliance:hit_decide", args=[hit.pk]), {"approve": "1"})
    assert SanctionFreeze.objects.get().subject_ref == "customers.customer:1"

"""In a real browser: the director starts a talent review, rates a person's potential with evidence, sees the
9-box count move and drills down into the box to find the person."""

import pytest

from lendpilot.talent.models import ReviewEntry, TalentReview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_director_runs_a_talent_review_and_drills_into_the_nine_box(live_world, page, sign_in):
    # The live server's first answer loads every URL module; on a busy machine that alone can outlast the
    # 10 s step timeout, so the server is woken before the steps are timed.
    page.goto("/login/", timeout=120_000)
    sign_in("director")
    page.click("#nav-group-performance")  # the menu group opens its drop-down
    page.click("#nav-talent")
    page.wait_for_selector("#review-start-form")
    page.fill("#id_name", "2026 Q1 人才盘点")
    page.fill("#id_period_start", "2026-01-01")
    page.click("#review-start")
    page.wait_for_selector("#nine-box")
    review = TalentReview.objects.get()
    assert review.entries.count() == 4
    assert page.inner_text("#unrated-link").startswith("4")
    wang = review.entries.get(staff=live_world.staff["am_wang"])
    card = page.locator(f".entry[data-staff='{wang.staff.employee_no}']")
    card.locator("select[name=potential]").select_option("3")
    card.locator("input[name=evidence]").fill("牵头行业沙龙，带教两名新人")
    card.locator(".rate-form button").click()
    page.wait_for_selector("#nine-box")
    box = ReviewEntry.objects.get(pk=wang.pk).box
    assert box is not None
    assert page.inner_text(f"#box-{box}").strip() == "1"
    page.click(f"#box-{box}")
    page.wait_for_url(f"**?box={box}")
    assert "王芳" in page.inner_text("#drill-down")
    assert page.locator("#drill-down .entry").count() == 1

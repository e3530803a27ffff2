"""Posts come in from a CSV upload (operations) or the API feed: all rows or none, each bad row named, the
same post (same URL, or same text without one) kept once; a spike in a topic's daily volume raises one alert
on its first day and opens a crisis review with the topic's prepared holding statement."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.translation import gettext

from lendpilot.service import services
from lendpilot.service.models import Incident, Post, SentimentAlert
from lendpilot.testing import build_world

pytestmark = pytest.mark.django_db
API = "/api/v1/service"
TODAY = date(2026, 3, 20)


@pytest.fixture
def world():
    return build_world()


def client_for(world, key) -> Client:
    c = Client()
    c.force_login(world.user(key))
    return c


def test_a_csv_upload_adds_new_posts_scores_them_and_keeps_duplicates_once(world):
    csv_text = ("source,time,text,url\n"
                "weibo,2026-03-01 10:00,催收电话打给我家人，太过分了,https://weibo.example.cn/1\n"
                "heimao,2026-03-01,客户经理很专业，耐心解答,\n"
                "weibo,2026-03-02 09:00,同一个链接的转发,https://weibo.example.cn/1\n"
                "黑猫投诉,2026-03-02 11:00,客户经理很专业，耐心解答,\n")
    result = services.posts_import_csv(actor=world.user("operations"), content=csv_text.encode(), today=TODAY)
    assert (result.added, result.duplicates) == (2, 2)
    negative, positive = Post.objects.order_by("posted_at")
    assert negative.topic == "collection" and negative.sentiment < 0 and negative.posted_on == date(2026, 3, 1)
    assert positive.sentiment > 0 and positive.source == "heimao"
    again = services.posts_import_csv(actor=world.user("operations"), content=csv_text.encode(), today=TODAY)
    assert (again.added, again.duplicates) == (0, 4) and Post.objects.count() == 2


def test_a_file_with_bad_rows_is_refused_whole_naming_each_row_and_field(world):
    csv_text = ("source,time,text,url\n"
                "weibo,2026-03-01 10:00,好的帖子,\n"
                "fax,2026-03-01 10:00,来源不对,\n"
                "weibo,yesterday,时间不对,\n"
                "weibo,2026-03-01 10:00,,ftp://x\n"
                "weibo,2027-01-01,未来的帖子,\n")
    with pytest.raises(ValidationError) as refused:
        services.posts_import_csv(actor=world.user("operations"), content=csv_text.encode(), today=TODAY)
    errors = refused.value.message_dict
    row = {n: gettext("row %(n)d") % {"n": n} for n in (2, 3, 4, 5)}  # in the site's language
    assert set(errors) == set(row.values())
    assert "source" in errors[row[2]][0] and "time" in errors[row[3]][0]
    assert "text" in errors[row[4]][0] and "url" in errors[row[4]][0] and "time" in errors[row[5]][0]
    assert not Post.objects.exists()


def test_the_upload_page_and_the_api_feed(world):
    ops = client_for(world, "operations")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("posts.csv", "source,time,text,url\nweibo,2026-03-01 10:00,放款很快,\n".encode(),
                                content_type="text/csv")
    assert ops.post("/service/sentiment/", {"file": upload}).status_code == 302
    assert Post.objects.count() == 1
    page = ops.get("/service/sentiment/").content.decode()
    assert "放款很快" in page and 'id="topic-summary"' in page
    bad = ops.post(f"{API}/posts", {"posts": [{"source": "weibo", "time": "2026-13-01", "text": "x"}]},
                   content_type="application/json")
    assert bad.status_code == 422 and Post.objects.count() == 1
    assert bad.json()["detail"][0]["loc"][-1] == gettext("row %(n)d") % {"n": 1}
    ok = ops.post(f"{API}/posts", {"posts": [{"source": "douyin", "time": "2026-03-02T08:00:00+08:00",
                                              "text": "利率太高", "url": "https://douyin.example.cn/9"}]},
                  content_type="application/json")
    assert ok.status_code == 200 and ok.json()["added"] == 1
    listed = ops.get(f"{API}/posts?topic=rates_fees").json()
    assert [p["text"] for p in listed["items"]] == ["利率太高"]
    # compliance reads the page but may not upload
    assert client_for(world, "compliance").get("/service/sentiment/").status_code == 200
    assert client_for(world, "compliance").post(f"{API}/posts", {"posts": [
        {"source": "weibo", "time": "2026-03-02", "text": "y"}]}, content_type="application/json").status_code == 403


def _series(start: date, counts: list[int], topic_text: str) -> list[dict]:
    rows = []
    for i, n in enumerate(counts):
        day = start + timedelta(days=i)
        rows += [{"source": "weibo", "time": f"{day.isoformat()} 10:00", "text": topic_text,
                  "url": f"https://weibo.example.cn/{day:%Y%m%d}/{k}"} for k in range(n)]
    return rows


def test_a_spike_raises_one_alert_on_its_first_day_and_opens_a_crisis_review(world):
    start = TODAY - timedelta(days=49)
    counts = [20] * 47 + [60, 60, 60]  # the spike starts on TODAY - 2
    rows = _series(start, counts, "催收电话打给我家人")
    result = services.posts_ingest(actor=world.user("operations"), rows=rows, today=TODAY)
    alert = SentimentAlert.objects.get()
    assert result.alerts == 1 and alert.day == TODAY - timedelta(days=2) and alert.topic == "collection"
    assert alert.volume == 60 and alert.expected == 20
    incident = alert.incident
    assert incident.origin == "alert" and incident.topic == "collection" and incident.status == "open"
    holding = incident.statements.get()
    assert holding.kind == "holding" and "催收" in holding.text and holding.status == "draft"
    assert incident.steps.get().step == "monitor"
    # the daily run again: nothing new
    assert services.sentiment_scan(today=TODAY) == []
    assert SentimentAlert.objects.count() == 1 and Incident.objects.count() == 1
    page = client_for(world, "director").get(f"/service/incidents/{incident.pk}/").content.decode()
    assert "暂停涉事催收机构" in page  # the prepared scripts of the topic

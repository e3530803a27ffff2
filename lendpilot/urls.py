"""Page routes. Each domain package contributes its pages from its own `urls.py`."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lendpilot.api import api
from lendpilot.core import health
from lendpilot.desk.views import search_page
from lendpilot.home import home

urlpatterns = [
    path("", home, name="home"),
    path("search/", search_page, name="search"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("login/", auth_views.LoginView.as_view(template_name="core/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("org/", include("lendpilot.org.urls")),
    path("customers/", include("lendpilot.customers.urls")),
    path("products/", include("lendpilot.products.urls")),
    path("scoring/", include("lendpilot.scoring.urls")),
    path("channels/", include("lendpilot.channels.urls")),
    path("lending/", include("lendpilot.lending.urls")),
    path("sales/", include("lendpilot.sales.urls")),
    path("monitoring/", include("lendpilot.monitoring.urls")),
    path("planning/", include("lendpilot.planning.urls")),
    path("market/", include("lendpilot.market.urls")),
    path("service/", include("lendpilot.service.urls")),
    path("incentives/", include("lendpilot.incentives.urls")),
    path("talent/", include("lendpilot.talent.urls")),
    path("insights/", include("lendpilot.insights.urls")),
    path("compliance/", include("lendpilot.compliance.urls")),
]

from django.urls import path

from lendpilot.channels import views

app_name = "channels"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("list/", views.published, name="published"),
    path("apply/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("enablement/", views.enablement, name="enablement"),
    path("mine/enablement/", views.mine_enablement, name="mine_enablement"),
    path("toolkits/<int:toolkit_id>/download/", views.toolkit_download, name="toolkit_download"),
    path("<int:partner_id>/", views.partner, name="partner"),
]

"""Pages of sales."""

from django.urls import path

from lendpilot.sales import views
from lendpilot.sales.intake import views as intake_views
from lendpilot.sales.partner import views as partner_views
from lendpilot.sales.scenarios import views as scenario_views

app_name = "sales"
urlpatterns = [
    path("", views.kanban, name="kanban"),
    path("opportunities/<int:opportunity_id>/", views.opportunity_detail, name="opportunity"),
    path("follow-loans/", views.follow_loans, name="follow_loans"),
    path("opportunities/<int:opportunity_id>/move/", views.opportunity_move, name="move"),
    path("opportunities/<int:opportunity_id>/preview/", views.proposal_preview, name="preview"),
    path("playbook/", views.playbook, name="playbook"),
    path("playbook/<int:entry_id>/use/", views.playbook_use, name="playbook_use"),
    path("leads/", views.lead_inbox, name="leads"),
    path("leads/new/", intake_views.lead_new, name="lead_new"),
    path("leads/quick/", intake_views.lead_quick, name="lead_quick"),
    path("leads/import/", intake_views.lead_import, name="lead_import"),
    path("leads/import/template.csv", intake_views.lead_import_template, name="lead_import_template"),
    path("partner/", partner_views.partner_portal, name="partner_portal"),
    path("funnel/", views.funnel, name="funnel"),
    path("assignment/", views.assignment, name="assignment"),
    path("offers/", scenario_views.offer_list, name="offers"),
    path("offers/<int:offer_id>/accept/", scenario_views.offer_decide, {"decision": "accept"}, name="offer_accept"),
    path("offers/<int:offer_id>/decline/", scenario_views.offer_decide, {"decision": "decline"},
         name="offer_decline"),
    path("tasks/", scenario_views.task_list, name="tasks"),
    path("tasks/<int:task_id>/done/", scenario_views.task_done, name="task_done"),
    path("triggers/", scenario_views.trigger_rule_list, name="trigger_rules"),
    path("triggers/new/", scenario_views.trigger_rule_edit, name="trigger_rule_new"),
    path("triggers/<int:rule_id>/", scenario_views.trigger_rule_edit, name="trigger_rule_edit"),
    path("triggers/run/", scenario_views.trigger_run, name="trigger_run"),
    path("customers/<int:customer_id>/360/", scenario_views.customer_360_page, name="customer_360"),
    path("drills/", scenario_views.drill_list, name="drills"),
    path("drills/<int:drill_id>/", scenario_views.drill_detail, name="drill"),
]

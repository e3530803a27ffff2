"""Customer writes, one module per business action: registering and changing customers
(`customers`), the outbox (`messages`), and the portrait: feed signals (`signals`), tiers, RFM and
lifetime value (`tiers`), tags (`tags`), the nightly run (`portrait`), segments (`segments`) and
needs questionnaires (`questionnaires`). The names below are the package's public surface."""

from lendpilot.customers.services.customers import (
    AUDITED_FIELDS,
    OWNER_ROLES,
    UPDATABLE,
    customer_create,
    customer_reassign,
    customer_reveal_pii,
    customer_update,
)
from lendpilot.customers.services.messages import customer_message_queue, customer_messages_queue_bulk
from lendpilot.customers.services.portrait import portrait_recompute
from lendpilot.customers.services.questionnaires import NEEDS_COLUMNS, questionnaire_answer, questionnaire_publish
from lendpilot.customers.services.segments import (
    segment_customers,
    segment_export_whitelist,
    segment_filter,
    segment_save,
)
from lendpilot.customers.services.signals import signals_refresh
from lendpilot.customers.services.tags import (
    CODE_PATTERN,
    tag_define,
    tag_source_of,
    tags_recompute,
    tags_refresh_customers,
)
from lendpilot.customers.services.tiers import tier_policy_set, tiers_recompute, values_recompute

__all__ = [
    "AUDITED_FIELDS",
    "CODE_PATTERN",
    "NEEDS_COLUMNS",
    "OWNER_ROLES",
    "UPDATABLE",
    "customer_create",
    "customer_message_queue",
    "customer_messages_queue_bulk",
    "customer_reassign",
    "customer_reveal_pii",
    "customer_update",
    "portrait_recompute",
    "questionnaire_answer",
    "questionnaire_publish",
    "segment_customers",
    "segment_export_whitelist",
    "segment_filter",
    "segment_save",
    "signals_refresh",
    "tag_define",
    "tag_source_of",
    "tags_recompute",
    "tags_refresh_customers",
    "tier_policy_set",
    "tiers_recompute",
    "values_recompute",
]

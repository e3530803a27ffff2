"""The customer portrait (FEATURES B2, B4, D1, D7): its REST endpoints (`api`) and the demo bank's feeds,
tag catalogue, tier policy and questionnaires (`demo`). The writes live in `customers.services` (signals,
tiers, tags, segments, questionnaires), the reads in `customers.selectors`."""

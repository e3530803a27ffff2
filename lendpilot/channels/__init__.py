"""Channel partners (E4-E6): admission with head-office approval, the published list, cooperation terms and
joint-lending limits, monthly tiers, vintage KPIs and the quarterly bottom-ranked review."""

"""LendPilot: one system for a lender's loan sales organisation."""

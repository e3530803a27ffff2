"""Scenario marketing (FEATURES B3, D3, D7): trigger rules that detect a funding node, the set-based run
that pushes pre-approved offers, the managers' task list, offer decisions and post-loan advisory tasks;
its pages and its demo step."""

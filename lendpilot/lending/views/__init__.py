"""Pages of lending, one module per stage of a loan: applications and approval, contract and payout,
loans and queues, and the operations desk for repayments. Thin: selectors to read, services to write."""

"""Portfolio analytics (FEATURES C5, insights): roll-rate matrix, vintage curves, concentration. Pure numpy
over the small result sets of set-based queries (counts per bucket pair, per vintage and month, balances
per industry and per borrower)."""

from datetime import date

import numpy as np

BUCKETS = 5  # 0 current, 1: 1-30, 2: 31-60, 3: 61-90, 4: 90+
BUCKET_LABELS = ["0", "1-30", "31-60", "61-90", "90+"]


def roll_rate_matrix(pairs: list[tuple[int, int, int]]) -> np.ndarray:
    """(from_bucket, to_bucket, count) -> row-normalised transition matrix (rows with no loans are zero)."""
    counts = np.zeros((BUCKETS, BUCKETS))
    for a, b, n in pairs:
        counts[a, b] += n
    totals = counts.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(totals > 0, counts / np.where(totals == 0, 1, totals), 0.0)


def months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def vintage_curves(rows: list[tuple[date, date, int, int]], *, max_mob: int = 24) -> dict[str, list[float | None]]:
    """(vintage month, observation month, loans observed, loans 31+ days past due) -> per vintage the bad
    share by months on book (None where not observed)."""
    out: dict[str, np.ndarray] = {}
    for vintage, month, total, bad in rows:
        mob = months_between(vintage, month)
        if not 0 <= mob <= max_mob or not total:
            continue
        key = vintage.strftime("%Y-%m")
        curve = out.setdefault(key, np.full(max_mob + 1, np.nan))
        curve[mob] = bad / total
    return {k: [None if np.isnan(v) else round(float(v), 4) for v in curve] for k, curve in sorted(out.items())}


def concentration(balances: list[float]) -> dict[str, float]:
    """Shares, the Herfindahl-Hirschman index (0..1) and the top-10 share of a list of exposures."""
    x = np.asarray(balances, dtype=float)
    total = x.sum()
    if total <= 0:
        return {"hhi": 0.0, "top10_share": 0.0, "top1_share": 0.0}
    shares = np.sort(x / total)[::-1]
    return {"hhi": round(float((shares ** 2).sum()), 4), "top10_share": round(float(shares[:10].sum()), 4),
            "top1_share": round(float(shares[0]), 4)}

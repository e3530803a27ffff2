"""Volume spikes: a series of 20 a day with a three-day spike to 60 alerts once, on the first spike day; a
long series with weekly seasonality gives at most one false alert a month, and a spike in it is still seen."""

import numpy as np

from lendpilot.service.sentiment.anomaly import spike_days


def test_twenty_a_day_with_a_three_day_spike_to_sixty_alerts_on_the_first_spike_day():
    counts = [20] * 60 + [60, 60, 60] + [20] * 30
    alerts = spike_days(counts)
    assert [a.index for a in alerts] == [60]
    assert alerts[0].volume == 60 and alerts[0].expected == 20


def test_a_flat_series_without_a_spike_alerts_nothing():
    assert spike_days([20] * 120) == []


def _seasonal(days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    weekday_mean = np.array([30, 28, 27, 29, 33, 12, 10])  # busy weekdays, quiet weekends
    trend = np.linspace(1.0, 1.3, days)  # slow growth over the period
    return rng.poisson(weekday_mean[np.arange(days) % 7] * trend)


def test_weekly_seasonality_gives_at_most_one_false_alert_a_month():
    days = 3 * 365
    for seed in (1, 2, 3):
        alerts = spike_days(_seasonal(days, seed).tolist())
        assert len(alerts) <= days / 30, (seed, [a.index for a in alerts])


def test_a_spike_on_a_weekend_of_a_seasonal_series_is_seen_on_its_first_day():
    counts = _seasonal(200, 7)
    day = 187  # a weekend day (187 % 7 == 5)
    counts[day:day + 2] = [40, 45]
    assert day in [a.index for a in spike_days(counts.tolist())]

"""PSI, CSI, AUC, KS and the alert rules against hand-computed figures."""

import math

import numpy as np
import pytest

from lendpilot.scoring import monitoring


def test_psi_hand_computed():
    expected = np.array([0.25, 0.25, 0.25, 0.25])
    actual = np.array([0.10, 0.20, 0.30, 0.40])
    by_hand = ((0.10 - 0.25) * math.log(0.10 / 0.25) + (0.20 - 0.25) * math.log(0.20 / 0.25)
               + (0.30 - 0.25) * math.log(0.30 / 0.25) + (0.40 - 0.25) * math.log(0.40 / 0.25))
    assert by_hand == pytest.approx(0.2282, abs=1e-4)
    assert monitoring.psi(expected, actual) == pytest.approx(by_hand)
    # Counts work like shares; identical distributions are perfectly stable.
    assert monitoring.psi(np.array([25, 25, 25, 25]), np.array([10, 20, 30, 40])) == pytest.approx(by_hand)
    assert monitoring.psi(expected, expected) == 0
    # An empty bucket is floored, not infinite.
    assert math.isfinite(monitoring.psi(np.array([0.5, 0.5, 0.0]), np.array([0.4, 0.4, 0.2])))


def test_auc_and_ks_hand_computed():
    y = np.array([0, 0, 1, 0, 1, 1])
    risk = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    # 9 bad-good pairs, 8 ranked right (the bad at 0.3 is below the good at 0.4).
    assert monitoring.auc_score(y, risk) == pytest.approx(8 / 9)
    # After 0.2: 2/3 of goods, 0 bads -> gap 2/3.
    assert monitoring.ks_statistic(y, risk) == pytest.approx(2 / 3)
    assert math.isnan(monitoring.auc_score(np.array([1, 1]), np.array([0.1, 0.2])))


def test_alert_rules():
    assert monitoring.alerts(psi_value=0.1, auc=0.78, reference_auc=0.80) == []
    assert len(monitoring.alerts(psi_value=0.26, auc=None, reference_auc=0.80)) == 1
    assert len(monitoring.alerts(psi_value=0.1, auc=0.74, reference_auc=0.80)) == 1

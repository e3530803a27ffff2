"""Days past due and the five-category loan classification (FEATURES X2). Pure: no ORM.

Classes are ranked 1..5 so that "worse" is "greater" and a manual downgrade is a floor:
1 正常 normal, 2 关注 special mention, 3 次级 substandard, 4 可疑 doubtful, 5 损失 loss.

Default thresholds follow the 2023 measures on the risk classification of financial assets of
commercial banks (商业银行金融资产风险分类办法): overdue more than 90 days is at least substandard,
more than 270 days at least doubtful, more than 360 days loss. This package chooses: any amount
overdue (1 to 90 days) is special mention. So, with days past due d:

    d == 0          normal           (正常)
    1 <= d <= 90    special mention  (关注)
    91 <= d <= 270  substandard      (次级)
    271 <= d <= 360 doubtful         (可疑)
    d >= 361        loss             (损失)

Each threshold is "more than N days" (strict), configurable through `Thresholds`. A class set by a
risk officer (with a reason) is a floor: the loan's class is the worse of the two.
NPL (non-performing loans) = substandard + doubtful + loss.
"""

from dataclasses import dataclass
from datetime import date

NORMAL, SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS = 1, 2, 3, 4, 5
CLASS_CODES = {NORMAL: "normal", SPECIAL_MENTION: "special_mention", SUBSTANDARD: "substandard",
               DOUBTFUL: "doubtful", LOSS: "loss"}
CLASS_LABELS_ZH = {NORMAL: "正常", SPECIAL_MENTION: "关注", SUBSTANDARD: "次级", DOUBTFUL: "可疑", LOSS: "损失"}
NPL_CLASSES = (SUBSTANDARD, DOUBTFUL, LOSS)


@dataclass(frozen=True)
class Thresholds:
    """Days past due strictly above which a loan is at least the named class."""

    special_mention_above: int = 0
    substandard_above: int = 90
    doubtful_above: int = 270
    loss_above: int = 360

    def __post_init__(self) -> None:
        steps = [self.special_mention_above, self.substandard_above, self.doubtful_above, self.loss_above]
        if any(s < 0 for s in steps) or steps != sorted(steps) or len(set(steps)) != len(steps):
            raise ValueError("thresholds must be non-negative and strictly increasing")

    def bands(self) -> list[tuple[int, int]]:
        """(above, class) pairs from the worst down, for building a SQL CASE expression."""
        return [(self.loss_above, LOSS), (self.doubtful_above, DOUBTFUL), (self.substandard_above, SUBSTANDARD),
                (self.special_mention_above, SPECIAL_MENTION)]


DEFAULT_THRESHOLDS = Thresholds()


def days_past_due(as_of: date, oldest_unpaid_due_date: date | None) -> int:
    """Days since the oldest instalment that is due and not fully paid; 0 when nothing is overdue."""
    if oldest_unpaid_due_date is None or oldest_unpaid_due_date >= as_of:
        return 0
    return (as_of - oldest_unpaid_due_date).days


def class_for_dpd(dpd: int, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> int:
    for above, klass in thresholds.bands():
        if dpd > above:
            return klass
    return NORMAL


def classify(dpd: int, manual_floor: int | None = None, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> int:
    """The loan's class: from days past due, never better than a manual downgrade."""
    return max(class_for_dpd(dpd, thresholds), manual_floor or NORMAL)


def is_npl(klass: int) -> bool:
    return klass in NPL_CLASSES

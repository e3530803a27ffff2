"""Feedback texts mapped to journey stages (FEATURES F6). Pure: no ORM.

The stages are those of `Complaint.Stage`: marketing and contact (the five funnel nodes up to the
application), approval, disbursement, repayment, collection and service. A text belongs to the stage whose
words it uses most (ties to the earlier stage); a text without any falls back to the stage of the occasion
(a survey after a disbursement speaks about the disbursement).
"""

from collections.abc import Sequence

from lendpilot.service.sentiment.text import tokens

STAGE_WORDS: dict[str, tuple[str, ...]] = {
    "marketing": ("营销", "推销", "推广", "广告", "宣传", "电话营销", "短信", "邀约", "上门", "介绍", "咨询", "申请"),
    "approval": ("审批", "审核", "资料", "材料", "额度", "拒绝", "拒贷", "征信查询", "面签", "评估"),
    "disbursement": ("放款", "到账", "提款", "放款慢", "打款", "合同", "签约"),
    "repayment": ("还款", "扣款", "自动扣款", "重复扣款", "利息", "利率", "账单", "提前还款", "结清", "罚息"),
    "collection": ("催收", "催款", "暴力催收", "逾期", "爆通讯录", "外包", "威胁", "骚扰"),
    "service": ("客服", "态度", "服务", "热线", "柜台", "客户经理", "等待", "排队", "回访"),
}
TRIGGER_STAGE = {"disbursement": "disbursement", "complaint": "service", "annual": "service"}


def stage_of_words(words: Sequence[str], *, default: str) -> str:
    hits = {stage: sum(1 for w in words if w in vocabulary) for stage, vocabulary in STAGE_WORDS.items()}
    best = max(hits, key=lambda s: hits[s])
    return best if hits[best] else default


def stage_of(text: str, *, default: str = "service") -> str:
    """The journey stage a feedback text speaks about."""
    return stage_of_words(tokens(text), default=default)

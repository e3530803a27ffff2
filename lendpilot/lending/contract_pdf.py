"""The loan contract as a PDF document (C3 contract, X1 disclosure), drawn from the contract's stored terms.

The contract is a Chinese legal document: its text is Chinese whatever language the page is in, with the
embedded CJK font of `core.pdf_fonts` so it renders the same on every reader. It carries the parties,
the amount in figures and in capitals, the nominal rate and the annualised rate (APR, IRR method, fees
included) as the disclosure rules require, every cost, the prepayment and penalty terms, the approval
conditions, the full repayment schedule and the signing block (with the recorded signature once signed).
Nothing is recomputed: every figure is the one stored when the contract was generated.
"""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from lendpilot.core.pdf_fonts import cjk_font
from lendpilot.lending.models import Contract

METHOD_ZH = {"equal_instalment": "等额本息", "equal_principal": "等额本金", "interest_first": "先息后本",
             "bullet": "到期一次还本付息"}
DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
SECTIONS = ["", "万", "亿", "万亿"]
PARTS_ZH = {"penalty": "罚息", "interest": "利息", "principal": "本金"}


def rmb_capitals(amount: Decimal) -> str:
    """An amount in Chinese financial capitals, as contracts write it: 4000000.50 -> 肆佰万元伍角整."""
    fen_total = int((amount * 100).quantize(Decimal("1")))
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    text = _integer_capitals(yuan) + "元" if yuan else ""
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan and fen:
        text += "零"
    if fen:
        text += DIGITS[fen] + "分"
    return (text or "零元") + ("" if fen else "整")


def _integer_capitals(number: int) -> str:
    groups = []
    while number:
        groups.append(number % 10000)
        number //= 10000
    text, zero_pending = "", False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            zero_pending = bool(text)
            continue
        if text and (zero_pending or group < 1000):
            text += "零"
        text += _group_capitals(group) + SECTIONS[index]
        zero_pending = False
    return text


def _group_capitals(group: int) -> str:
    text, zero = "", False
    for position in range(3, -1, -1):
        digit = group // 10 ** position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
        text += DIGITS[digit] + UNITS[position]
        zero = False
    return text


def _cny(value: object) -> str:
    return f"{Decimal(str(value)):,.2f}"


def _pct(value: object, places: str = "0.01") -> str:
    return f"{(Decimal(str(value)) * 100).quantize(Decimal(places))}%"


def _styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    return {"title": ParagraphStyle("title", parent=body, fontSize=18, leading=24, alignment=1, spaceAfter=6),
            "h": ParagraphStyle("h", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
            "body": body, "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=12),
            "box": ParagraphStyle("box", parent=body, fontSize=11, leading=17, backColor=colors.HexColor("#fff4d6"),
                                  borderColor=colors.HexColor("#d9a400"), borderWidth=0.8, borderPadding=6,
                                  spaceBefore=6, spaceAfter=10)}


def _terms_table(contract: Contract, st: dict[str, ParagraphStyle]) -> Table:
    app, d = contract.application, contract.disclosures or {}
    identifier = app.applicant.id_number_masked or app.applicant.credit_code or "—"
    rows = [
        ("借款人", f"{app.applicant.name}（证件号 {identifier}）"),
        ("借款金额", f"人民币 {_cny(contract.principal)} 元（大写：{rmb_capitals(contract.principal)}）"),
        ("借款期限", f"{contract.term_months} 个月"),
        ("还款方式", METHOD_ZH.get(contract.repayment_method, contract.repayment_method)),
        ("借款用途", app.purpose),
        ("年利率（名义）", _pct(contract.annual_rate, "0.0001")),
        ("年化利率（APR）", f"{_pct(contract.apr, '0.0001')}（内部收益率法，含一次性手续费）"),
        ("一次性手续费", f"{_cny(d.get('fees', '0'))} 元"),
        ("利息总额", f"{_cny(d.get('total_interest', '0'))} 元"),
        ("还款总额（本金+利息+费用）", f"{_cny(d.get('total_repayment', '0'))} 元"),
        ("逾期罚息利率", f"{_pct(d.get('penalty_rate', '0'), '0.0001')}（年利率 × {contract.penalty_multiplier}）"),
        ("提前结清手续费率", _pct(contract.settlement_fee_rate, "0.0001")),
    ]
    table = Table([[Paragraph(k, st["body"]), Paragraph(v, st["body"])] for k, v in rows],
                  colWidths=[45 * mm, 125 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _schedule_table(contract: Contract, st: dict[str, ParagraphStyle]) -> Table:
    font = cjk_font()
    head = ["期数", "还款日", "应还本金", "应还利息", "应还合计", "剩余本金"]
    body = [[str(r["seq"]), r["due_date"], _cny(r["principal"]), _cny(r["interest"]), _cny(r["payment"]),
             _cny(r["balance_after"])] for r in contract.schedule]
    table = Table([head, *body], colWidths=[14 * mm, 28 * mm, 32 * mm, 30 * mm, 32 * mm, 34 * mm], repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                               ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                               ("ALIGN", (2, 1), (-1, -1), "RIGHT")]))
    return table


def _clauses(contract: Contract) -> list[str]:
    d = contract.disclosures or {}
    order = "、".join(PARTS_ZH.get(part, part) for part in contract.allocation_order.split(","))
    clauses = [
        "一、计息规则：月利率 = 年利率 ÷ 12；不足一期的按实际天数计息，日利率 = 年利率 ÷ 360。",
        "二、还款：借款人应按本合同附表《还款计划表》所列日期足额还款；还款日遇法定节假日的，"
        + ("顺延至下一工作日，顺延不改变当期利息。" if contract.roll_business_days else "不顺延。"),
        f"三、扣款顺序：借款人还款按{order}的顺序冲抵。",
        f"四、逾期：逾期本金及利息自逾期之日起按年利率的 {contract.penalty_multiplier} 倍计收罚息。",
        "五、提前还款与提前结清：借款人可在任一日提前还款或提前结清，仅支付至该日的应计利息，不收取未到期期次的利息；"
        f"提前结清按提前归还本金的 {_pct(contract.settlement_fee_rate, '0.01')} 收取手续费。"
        "超出应还金额且未申明提前还款的款项作为预存款，用于冲抵此后到期的款项。",
        "六、年化利率披露：本合同年化利率（APR）以借款人实际承担的全部利息和费用按内部收益率法计算，"
        f"为 {_pct(contract.apr, '0.0001')}；名义年利率为 {_pct(contract.annual_rate, '0.0001')}。",
    ]
    conditions = d.get("conditions") or {}
    if conditions:
        parts = []
        if conditions.get("amount"):
            parts.append(f"借款金额调整为 {_cny(conditions['amount'])} 元")
        if conditions.get("annual_rate"):
            parts.append(f"年利率调整为 {_pct(conditions['annual_rate'], '0.0001')}")
        if conditions.get("extra_collateral"):
            parts.append(f"追加担保：{conditions['extra_collateral']}")
        clauses.append("七、审批条件：" + "；".join(parts) + "。")
    return clauses


def _signing(contract: Contract, st: dict[str, ParagraphStyle]) -> list:
    table = Table([[Paragraph("借款人（签字）：", st["body"]), Paragraph("贷款人（盖章）：", st["body"])],
                   [Paragraph("日期：", st["body"]), Paragraph("日期：", st["body"])]],
                  colWidths=[85 * mm, 85 * mm], rowHeights=[22 * mm, 10 * mm])
    parts: list = [Spacer(1, 6 * mm), table]
    if contract.signed_at:
        recorder = contract.signed_recorded_by.name if contract.signed_recorded_by else "—"
        parts.append(Paragraph(f"签署记录：本合同已于 {contract.signed_at:%Y-%m-%d %H:%M} 签署，由 {recorder} 登记。",
                               st["small"]))
    return [KeepTogether(parts)]


def contract_pdf(contract: Contract) -> bytes:
    """The contract document, A4, with the schedule as its annex."""
    st = _styles()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"借款合同 {contract.number}", author="LendPilot")
    story: list = [
        Paragraph("借款合同", st["title"]),
        Paragraph(f"合同编号：{contract.number}　　申请编号：{contract.application.number}　　"
                  f"生成日期：{contract.generated_at:%Y-%m-%d}", st["small"]),
        Paragraph(f"年化利率（APR）：{_pct(contract.apr, '0.0001')}　名义年利率：{_pct(contract.annual_rate, '0.0001')}"
                  f"　还款总额：{_cny((contract.disclosures or {}).get('total_repayment', '0'))} 元", st["box"]),
        Paragraph("第一部分　借款要素", st["h"]), _terms_table(contract, st),
        Paragraph("第二部分　主要条款", st["h"]),
        *[Paragraph(text, st["body"]) for text in _clauses(contract)],
        Paragraph("附表　还款计划表", st["h"]), _schedule_table(contract, st),
        *_signing(contract, st),
    ]
    doc.build(story)
    return buffer.getvalue()

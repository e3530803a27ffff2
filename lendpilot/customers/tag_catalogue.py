"""The standard catalogue of portrait tags (FEATURES B4): more than 200 definitions across the seven themes,
generated systematically -- one per industry, region, kind, tier and lifecycle; thresholds over the feed
signals, loan facts, RFM and lifetime value; one per questionnaire answer; and a few combined business
tags (扩产需求, 设备更新需求, 旺季备货需求, ...). Every entry carries a real rule of `customers.rules`; the
demo loads them and the test suite compiles each one. Pure data, no database.
"""

from __future__ import annotations

from dataclasses import dataclass

INDUSTRY_ZH = {
    "A": "农林牧渔业",
    "B": "采矿业",
    "C": "制造业",
    "D": "电热燃气水供应业",
    "E": "建筑业",
    "F": "批发零售业",
    "G": "交通运输仓储业",
    "H": "住宿餐饮业",
    "I": "信息技术服务业",
    "J": "金融业",
    "K": "房地产业",
    "L": "租赁商务服务业",
    "M": "科研技术服务业",
    "N": "水利环境公共设施业",
    "O": "居民服务业",
    "P": "教育业",
    "Q": "卫生社会工作",
    "R": "文体娱乐业",
    "S": "公共管理社会组织",
    "T": "国际组织",
}
INDUSTRY_EN = {
    "A": "Agriculture",
    "B": "Mining",
    "C": "Manufacturing",
    "D": "Utilities",
    "E": "Construction",
    "F": "Trade",
    "G": "Transport",
    "H": "Hospitality",
    "I": "IT services",
    "J": "Finance",
    "K": "Real estate",
    "L": "Business services",
    "M": "Research",
    "N": "Environment",
    "O": "Resident services",
    "P": "Education",
    "Q": "Health",
    "R": "Culture",
    "S": "Public administration",
    "T": "International",
}
REGIONS = {
    "EAST": ("华东", "East China"),
    "SOUTH": ("华南", "South China"),
    "NORTH": ("华北", "North China"),
    "CENTRAL": ("华中", "Central China"),
    "SOUTHWEST": ("西南", "Southwest"),
    "NORTHWEST": ("西北", "Northwest"),
    "NORTHEAST": ("东北", "Northeast"),
}


@dataclass(frozen=True)
class TagSpec:
    code: str
    name_zh: str
    name_en: str
    theme: str
    rule: str
    source: str | None = None  # None: derived from the fields the rule reads


def _wan(amount: int) -> str:
    """CNY amount in 万 / 亿 for a tag name."""
    if amount >= 100_000_000:
        return f"{amount // 100_000_000}亿"
    return f"{amount // 10_000}万"


def _en_money(amount: int) -> str:
    return f"{amount / 1_000_000:g}M" if amount >= 1_000_000 else f"{amount // 1000}k"


def catalogue() -> list[TagSpec]:
    tags: list[TagSpec] = []
    add = tags.append

    # basic
    for code, zh in INDUSTRY_ZH.items():
        add(TagSpec(f"industry_{code.lower()}", zh, INDUSTRY_EN[code], "basic", f'industry == "{code}"'))
    for code, (zh, en) in REGIONS.items():
        add(TagSpec(f"region_{code.lower()}", zh, en, "basic", f'region == "{code}"'))
    add(TagSpec("kind_person", "个人客户", "Person", "basic", 'kind == "person"'))
    add(TagSpec("kind_enterprise", "企业客户", "Enterprise", "basic", 'kind == "enterprise"'))
    for code, zh in (("strategic", "战略客户"), ("growth", "成长客户"), ("micro", "小微客户")):
        add(TagSpec(f"tier_{code}", zh, f"{code.title()} tier", "basic", f'tier == "{code}"'))
    for code, zh in (
        ("prospect", "潜在客户"),
        ("active", "活跃客户"),
        ("dormant", "休眠客户"),
        ("churned", "流失客户"),
    ):
        add(TagSpec(f"lifecycle_{code}", zh, f"Lifecycle {code}", "basic", f'lifecycle == "{code}"'))
    add(TagSpec("gender_male", "男性", "Male", "basic", 'kind == "person" and gender == "M"'))
    add(TagSpec("gender_female", "女性", "Female", "basic", 'kind == "person" and gender == "F"'))

    # business (feeds: tax, social insurance, e-commerce, equipment)
    for n in (10, 20, 50, 100, 200, 500, 1000):
        add(TagSpec(f"biz_headcount_{n}", f"参保{n}人以上", f"{n}+ insured staff", "business", f"headcount >= {n}"))
    add(
        TagSpec(
            "biz_headcount_small",
            "参保10人以下",
            "Under 10 insured staff",
            "business",
            "headcount > 0 and headcount < 10",
        )
    )
    for n, zh in ((5, "小幅"), (20, "大幅")):
        add(TagSpec(f"biz_hiring_{n}", f"{zh}扩员", f"Hiring (+{n})", "business", f"headcount_change >= {n}"))
        add(TagSpec(f"biz_shrinking_{n}", f"{zh}减员", f"Shrinking (-{n})", "business", f"headcount_change <= -{n}"))
    for amount in (1_000_000, 5_000_000, 10_000_000, 50_000_000, 100_000_000):
        add(
            TagSpec(
                f"biz_invoice_{amount // 10_000}w",
                f"年开票{_wan(amount)}以上",
                f"Invoices {_en_money(amount)}+/yr",
                "business",
                f"tax_invoice_12m >= {amount}",
            )
        )
    add(
        TagSpec(
            "biz_invoice_none",
            "无开票记录",
            "No invoices",
            "business",
            'kind == "enterprise" and not tax_invoice_12m > 0',
        )
    )
    for pct in (10, 30, 50, 100):
        add(
            TagSpec(
                f"biz_invoice_growth_{pct}",
                f"开票增长{pct}%以上",
                f"Invoices +{pct}%",
                "business",
                f"tax_invoice_growth >= {pct / 100}",
            )
        )
    for pct in (20, 50):
        add(
            TagSpec(
                f"biz_invoice_decline_{pct}",
                f"开票下降{pct}%以上",
                f"Invoices -{pct}%",
                "business",
                f"tax_invoice_growth <= -{pct / 100}",
            )
        )
    for amount in (100_000, 500_000, 1_000_000, 5_000_000):
        add(
            TagSpec(
                f"biz_taxpaid_{amount // 10_000}w",
                f"年纳税{_wan(amount)}以上",
                f"Tax {_en_money(amount)}+/yr",
                "business",
                f"tax_paid_12m >= {amount}",
            )
        )
    for amount in (100_000, 1_000_000, 10_000_000):
        add(
            TagSpec(
                f"biz_gmv_{amount // 10_000}w",
                f"电商年销售{_wan(amount)}以上",
                f"Online sales {_en_money(amount)}+",
                "business",
                f"ecommerce_gmv_12m >= {amount}",
            )
        )
    add(TagSpec("biz_online_seller", "电商经营", "Sells online", "business", "ecommerce_gmv_12m > 0"))
    for ratio, zh in ((2, "明显"), (3, "强")):
        add(
            TagSpec(
                f"biz_seasonal_{ratio}",
                f"{zh}季节性销售",
                f"Seasonal sales (peak x{ratio})",
                "business",
                f"ecommerce_peak_ratio >= {ratio}",
            )
        )
    add(
        TagSpec("biz_equipment_buyer", "近一年购置设备", "Bought equipment", "business", "equipment_purchases_12m >= 1")
    )
    add(
        TagSpec(
            "biz_equipment_frequent", "频繁购置设备", "Buys equipment often", "business", "equipment_purchases_12m >= 3"
        )
    )
    add(TagSpec("biz_equipment_1m", "设备投入百万以上", "Equipment 1M+", "business", "equipment_amount_12m >= 1000000"))
    for code in "ACEFGHIKM":
        zh = INDUSTRY_ZH[code]
        add(
            TagSpec(
                f"biz_{code.lower()}_large",
                f"{zh}规上企业",
                f"Large {INDUSTRY_EN[code]} firm",
                "business",
                f'industry == "{code}" and tax_invoice_12m >= 20000000',
            )
        )
        add(
            TagSpec(
                f"biz_{code.lower()}_growing",
                f"{zh}成长型企业",
                f"Growing {INDUSTRY_EN[code]} firm",
                "business",
                f'industry == "{code}" and tax_invoice_growth >= 0.2 and headcount_change > 0',
            )
        )

    # financial (loan book, bureau)
    for amount in (100_000, 500_000, 1_000_000, 3_000_000, 5_000_000, 10_000_000):
        add(
            TagSpec(
                f"fin_max_loan_{amount // 10_000}w",
                f"单笔贷款{_wan(amount)}以上",
                f"Single loan {_en_money(amount)}+",
                "financial",
                f"max_single_loan >= {amount}",
            )
        )
    for amount in (100_000, 1_000_000, 5_000_000):
        add(
            TagSpec(
                f"fin_outstanding_{amount // 10_000}w",
                f"贷款余额{_wan(amount)}以上",
                f"Outstanding {_en_money(amount)}+",
                "financial",
                f"outstanding_balance >= {amount}",
            )
        )
    add(
        TagSpec(
            "fin_no_balance",
            "已结清无余额",
            "Repaid, no balance",
            "financial",
            "loans_count >= 1 and not outstanding_balance > 0",
        )
    )
    for amount in (1_000_000, 5_000_000, 10_000_000):
        add(
            TagSpec(
                f"fin_disbursed_{amount // 10_000}w",
                f"累计放款{_wan(amount)}以上",
                f"Borrowed {_en_money(amount)}+",
                "financial",
                f"total_disbursed >= {amount}",
            )
        )
    for n, zh in ((1, "有贷户"), (2, "多笔贷款"), (5, "五笔以上贷款"), (10, "十笔以上贷款")):
        add(TagSpec(f"fin_loans_{n}", zh, f"{n}+ loans", "financial", f"loans_count >= {n}"))
    add(TagSpec("fin_never_borrowed", "未贷户", "Never borrowed", "financial", "not loans_count >= 1"))
    add(TagSpec("fin_multi_active", "多笔在贷", "Several active loans", "financial", "active_loans >= 2"))
    add(TagSpec("fin_external_debt", "他行有负债", "Debt at other lenders", "financial", "external_debt > 0"))
    for amount in (1_000_000, 5_000_000):
        add(
            TagSpec(
                f"fin_external_debt_{amount // 10_000}w",
                f"他行负债{_wan(amount)}以上",
                f"Other debt {_en_money(amount)}+",
                "financial",
                f"external_debt >= {amount}",
            )
        )
    for amount in (10_000, 100_000, 500_000):
        add(
            TagSpec(
                f"fin_interest_{amount // 10_000}w",
                f"贡献利息{_wan(amount)}以上",
                f"Interest {_en_money(amount)}+",
                "financial",
                f"interest_income >= {amount}",
            )
        )
    for band in "ABCDE":
        add(
            TagSpec(
                f"fin_band_{band.lower()}",
                f"信用等级{band}",
                f"Credit band {band}",
                "financial",
                f'credit_band == "{band}"',
            )
        )

    # behaviour
    for days in (30, 90):
        add(
            TagSpec(
                f"beh_repaid_{days}d",
                f"近{days}天有还款",
                f"Repaid in {days} days",
                "behaviour",
                f"days_since_last_repayment <= {days}",
            )
        )
    for days in (180, 365):
        add(
            TagSpec(
                f"beh_no_repay_{days}d",
                f"{days}天未还款",
                f"No repayment for {days} days",
                "behaviour",
                f"days_since_last_repayment > {days}",
            )
        )
    for days in (90, 180, 365):
        add(
            TagSpec(
                f"beh_new_loan_{days}d",
                f"近{days}天新增贷款",
                f"New loan in {days} days",
                "behaviour",
                f"days_since_last_loan <= {days}",
            )
        )
    for days in (365, 730):
        add(
            TagSpec(
                f"beh_no_loan_{days}d",
                f"{days // 365}年未续贷",
                f"No new loan for {days // 365}y",
                "behaviour",
                f"days_since_last_loan > {days}",
            )
        )
    for years in (1, 2, 3, 5):
        add(
            TagSpec(
                f"beh_tenure_{years}y",
                f"合作{years}年以上",
                f"Customer for {years}y+",
                "behaviour",
                f"tenure_days >= {365 * years}",
            )
        )
    for n in (6, 12, 24, 48):
        add(
            TagSpec(
                f"beh_repayments_{n}", f"还款{n}期以上", f"{n}+ repayments", "behaviour", f"repayments_count >= {n}"
            )
        )
    add(
        TagSpec(
            "beh_repeat_borrower",
            "复贷客户",
            "Repeat borrower",
            "behaviour",
            "loans_count >= 2 and days_since_last_loan <= 365",
        )
    )
    add(TagSpec("beh_inactive", "近期无业务往来", "No recent activity", "behaviour", "days_since_activity > 180"))
    add(TagSpec("beh_recent", "近期活跃", "Recently active", "behaviour", "r_score >= 4"))
    add(TagSpec("beh_frequent", "高频交易", "Frequent", "behaviour", "f_score >= 4"))
    add(TagSpec("beh_infrequent", "低频交易", "Infrequent", "behaviour", "f_score == 1"))
    add(
        TagSpec(
            "beh_bureau_quiet",
            "征信查询少",
            "Few bureau enquiries",
            "behaviour",
            "loans_count >= 1 and bureau_queries_6m <= 1",
        )
    )
    add(
        TagSpec(
            "beh_questionnaire",
            "已完成需求问卷",
            "Answered the needs questionnaire",
            "behaviour",
            'need_purpose in ("working_capital", "expansion", "equipment", "technology", "stocking", '
            '"refinance", "consumption", "other")',
            source="questionnaire",
        )
    )

    # risk
    for days, zh in ((0, "逾期"), (30, "逾期30天以上"), (60, "逾期60天以上"), (90, "逾期90天以上")):
        add(
            TagSpec(
                f"risk_overdue{'' if days == 0 else f'_{days}'}",
                zh,
                f"Past due > {days} days",
                "risk",
                f"max_days_past_due > {days}",
            )
        )
    add(TagSpec("risk_red_flag", "征信红色预警", "Bureau red flag", "risk", "bureau_red_flags >= 1"))
    add(TagSpec("risk_red_flags_2", "多项征信预警", "Several red flags", "risk", "bureau_red_flags >= 2"))
    for n, zh in ((3, "征信查询偏多"), (6, "征信查询频繁"), (10, "多头借贷嫌疑")):
        add(TagSpec(f"risk_queries_{n}", zh, f"{n}+ bureau enquiries / 6m", "risk", f"bureau_queries_6m >= {n}"))
    add(TagSpec("risk_band_weak", "信用等级偏弱", "Weak credit band", "risk", 'credit_band in ("D", "E")'))
    add(
        TagSpec(
            "risk_shrinking_overdue",
            "减员且逾期",
            "Shrinking and past due",
            "risk",
            "headcount_change <= -5 and max_days_past_due > 0",
        )
    )
    add(
        TagSpec(
            "risk_invoice_drop_debt",
            "开票下滑且负债高",
            "Falling invoices, high debt",
            "risk",
            "tax_invoice_growth <= -0.3 and external_debt >= 1000000",
        )
    )
    add(
        TagSpec(
            "risk_high_leverage",
            "他行负债过高",
            "High debt elsewhere",
            "risk",
            "external_debt >= 5000000 and tax_invoice_12m < 10000000",
        )
    )
    add(
        TagSpec(
            "risk_churned_balance",
            "流失仍有余额",
            "Churned with balance",
            "risk",
            'lifecycle == "churned" and outstanding_balance > 0',
        )
    )
    add(
        TagSpec(
            "risk_aggressive_borrower",
            "激进型借款人",
            "Aggressive borrower",
            "risk",
            'risk_appetite == "aggressive" and bureau_queries_6m >= 3',
        )
    )
    add(
        TagSpec(
            "risk_no_collateral_large",
            "大额无抵押需求",
            "Large unsecured need",
            "risk",
            'collateral == "none" and need_amount >= 3000000',
        )
    )
    add(
        TagSpec(
            "risk_dormant_overdue",
            "休眠逾期",
            "Dormant and past due",
            "risk",
            'lifecycle == "dormant" and max_days_past_due > 0',
        )
    )
    add(
        TagSpec(
            "risk_clean",
            "无不良记录",
            "Clean record",
            "risk",
            "loans_count >= 1 and max_days_past_due == 0 and not bureau_red_flags >= 1",
        )
    )

    # needs (questionnaire answers, and needs read from the feeds)
    purposes = {
        "working_capital": "流动资金需求",
        "expansion": "扩产意向",
        "equipment": "设备采购意向",
        "technology": "技术改造意向",
        "stocking": "备货意向",
        "refinance": "转贷置换需求",
        "consumption": "消费需求",
        "other": "其他资金需求",
    }
    for code, zh in purposes.items():
        add(
            TagSpec(
                f"need_purpose_{code}", zh, f"Needs: {code.replace('_', ' ')}", "needs", f'need_purpose == "{code}"'
            )
        )
    cycles = {
        "monthly": "月度回款",
        "quarterly": "季度回款",
        "seasonal": "季节性回款",
        "project": "项目制回款",
        "irregular": "回款不规律",
    }
    for code, zh in cycles.items():
        add(TagSpec(f"need_cycle_{code}", zh, f"Cash-flow cycle: {code}", "needs", f'cashflow_cycle == "{code}"'))
    collateral = {
        "none": "无抵押物",
        "property": "有房产抵押",
        "equipment": "有设备抵押",
        "receivables": "有应收账款",
        "guarantee": "有担保人",
        "deposit": "有存单质押",
    }
    for code, zh in collateral.items():
        add(TagSpec(f"need_collateral_{code}", zh, f"Collateral: {code}", "needs", f'collateral == "{code}"'))
    for code, zh in (("conservative", "稳健型"), ("balanced", "平衡型"), ("aggressive", "进取型")):
        add(TagSpec(f"need_appetite_{code}", zh, f"Risk appetite: {code}", "needs", f'risk_appetite == "{code}"'))
    for amount in (500_000, 1_000_000, 5_000_000):
        add(
            TagSpec(
                f"need_amount_{amount // 10_000}w",
                f"资金需求{_wan(amount)}以上",
                f"Needs {_en_money(amount)}+",
                "needs",
                f"need_amount >= {amount}",
            )
        )
    add(TagSpec("need_short_term", "短期资金需求", "Short-term need", "needs", "need_term_months <= 12"))
    add(TagSpec("need_long_term", "中长期资金需求", "Long-term need", "needs", "need_term_months >= 36"))
    add(TagSpec("need_existing_debts", "问卷自报有负债", "Declared existing debts", "needs", "existing_debts > 0"))
    add(
        TagSpec(
            "need_expansion",
            "扩产需求",
            "Expansion need",
            "needs",
            'need_purpose == "expansion" or (tax_invoice_growth >= 0.3 and headcount_change > 0)',
        )
    )
    add(
        TagSpec(
            "need_equipment",
            "设备更新需求",
            "Equipment need",
            "needs",
            'need_purpose == "equipment" or equipment_purchases_12m >= 1',
        )
    )
    add(
        TagSpec(
            "need_technology",
            "技改升级需求",
            "Technology upgrade need",
            "needs",
            'need_purpose == "technology" or (industry in ("C", "I", "M") and equipment_amount_12m >= 500000)',
        )
    )
    add(
        TagSpec(
            "need_stocking",
            "旺季备货需求",
            "Peak-season stocking need",
            "needs",
            'need_purpose == "stocking" or ecommerce_peak_ratio >= 2',
        )
    )
    add(
        TagSpec(
            "need_working_capital",
            "周转资金需求",
            "Working capital need",
            "needs",
            'need_purpose == "working_capital" or cashflow_cycle in ("seasonal", "project")',
        )
    )
    add(
        TagSpec(
            "need_refinance",
            "降本置换需求",
            "Refinancing need",
            "needs",
            'need_purpose == "refinance" or external_debt >= 3000000',
        )
    )
    add(
        TagSpec(
            "need_renewal",
            "到期续贷需求",
            "Renewal need",
            "needs",
            "active_loans >= 1 and outstanding_balance < 100000 and repayments_count >= 6",
        )
    )
    add(
        TagSpec(
            "need_supply_chain",
            "供应链金融需求",
            "Supply-chain finance need",
            "needs",
            'industry in ("C", "F") and collateral == "receivables"',
        )
    )

    # value (RFM, lifetime value)
    for lo, hi, zh, en in (
        (13, 15, "RFM高价值", "RFM 13-15"),
        (10, 12, "RFM重要发展", "RFM 10-12"),
        (7, 9, "RFM一般维持", "RFM 7-9"),
        (3, 6, "RFM低价值", "RFM 3-6"),
    ):
        add(TagSpec(f"value_rfm_{lo}_{hi}", zh, en, "value", f"{lo} <= rfm_score <= {hi}"))
    for letter, field, zh in (("r", "r_score", "最近交易"), ("f", "f_score", "交易频次"), ("m", "m_score", "交易金额")):
        add(TagSpec(f"value_{letter}5", f"{zh}前20%", f"Top quintile {letter.upper()}", "value", f"{field} == 5"))
        add(TagSpec(f"value_{letter}1", f"{zh}后20%", f"Bottom quintile {letter.upper()}", "value", f"{field} == 1"))
    add(TagSpec("value_high", "高价值客户", "High value", "value", "high_value"))
    for amount in (10_000, 50_000, 100_000, 500_000):
        add(
            TagSpec(
                f"value_clv_{amount // 10_000}w",
                f"生命周期价值{_wan(amount)}以上",
                f"CLV {_en_money(amount)}+",
                "value",
                f"lifetime_value >= {amount}",
            )
        )
    add(
        TagSpec(
            "value_dormant_high",
            "沉睡高价值",
            "Dormant high value",
            "value",
            "high_value and days_since_activity > 180",
        )
    )
    add(TagSpec("value_champion", "核心客户", "Champion", "value", "r_score >= 4 and f_score >= 4 and m_score >= 4"))
    add(TagSpec("value_at_risk", "价值流失风险", "Value at risk", "value", "r_score <= 2 and m_score >= 4"))
    add(
        TagSpec(
            "value_new_promising", "新晋潜力客户", "New and promising", "value", "tenure_days <= 365 and m_score >= 3"
        )
    )
    add(
        TagSpec(
            "value_strategic_high",
            "战略高价值",
            "Strategic and high value",
            "value",
            'tier == "strategic" and high_value',
        )
    )
    add(
        TagSpec(
            "value_growth_upsell",
            "成长可提额",
            "Growth tier, room to grow",
            "value",
            'tier == "growth" and max_days_past_due == 0 and tax_invoice_growth >= 0.2',
        )
    )
    add(
        TagSpec(
            "value_micro_upgrade",
            "小微待升级",
            "Micro close to growth",
            "value",
            'tier == "micro" and max_single_loan >= 700000',
        )
    )
    add(
        TagSpec("value_cross_sell", "交叉销售机会", "Cross-sell", "value", "loans_count >= 1 and ecommerce_gmv_12m > 0")
    )
    return tags

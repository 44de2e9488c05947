"""Pricing rules as stored, operator-editable rows; the arithmetic is in `domain.pricing`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.domain.pricing import PricingRule
from gateway.store.tables import PricingRuleRow


async def active_rules(session: AsyncSession) -> list[PricingRule]:
    """Every active rule; `gateway.domain.pricing.select_rule` picks among them."""
    rows = await session.execute(select(PricingRuleRow).where(PricingRuleRow.active.is_(True)))
    return [
        PricingRule(
            category=row.category,
            service_id=row.service_id,
            fee_flat=row.fee_flat,
            fee_bp=row.fee_bp,
            fee_cap=row.fee_cap,
            discount_bp=row.discount_bp,
            discount_cap=row.discount_cap,
            min_amount=row.min_amount,
            max_amount=row.max_amount,
        )
        for row in rows.scalars()
    ]


async def put_rule(session: AsyncSession, rule: PricingRule, *, at: datetime) -> None:
    """Create or replace the rule for (category, service_id)."""
    await session.execute(
        delete(PricingRuleRow).where(
            PricingRuleRow.category == rule.category, PricingRuleRow.service_id == rule.service_id
        )
    )
    session.add(
        PricingRuleRow(
            category=rule.category,
            service_id=rule.service_id,
            fee_flat=rule.fee_flat,
            fee_bp=rule.fee_bp,
            fee_cap=rule.fee_cap,
            discount_bp=rule.discount_bp,
            discount_cap=rule.discount_cap,
            min_amount=rule.min_amount,
            max_amount=rule.max_amount,
            active=True,
            updated_at=at,
        )
    )
    await session.flush()

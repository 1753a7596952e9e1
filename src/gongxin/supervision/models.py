"""Supervision's records: spot checks and their findings, the risk register, emergency plans
and drills, and the consultation log."""

# 风险防范措施台账, 紧急应对预案, 电话咨询 (gongxin.supervision.register_models)
from gongxin.supervision.register_models import (  # noqa: F401
    Consultation,
    Drill,
    EmergencyPlan,
    RiskPoint,
    RiskReview,
)

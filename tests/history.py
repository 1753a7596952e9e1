"""The known-history builder the statistics tests use (gongxin.supervision.demo_history, where
the demo's months of work are written with it too)."""

from gongxin.supervision.demo_history import History, at

__all__ = ["History", "at"]

"""Funnel metrics: exact figures per docs/architecture.md, "Metric definitions", computed in SQL."""

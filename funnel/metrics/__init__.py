"""Funnel metrics: exact figures per DESIGN.md "Metric definitions", computed in SQL."""

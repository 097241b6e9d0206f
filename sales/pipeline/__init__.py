"""Deal pipelines: ordered deal stages, the one writer of a deal's stage and its history,
the board, the pipeline metrics and the forecast against quota (docs/architecture.md,
section "Deal pipeline"). Tables and migrations belong to the `sales` app."""

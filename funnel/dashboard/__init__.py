"""Manager dashboards: HTML pages over the funnel metrics, campaign results and quotas."""

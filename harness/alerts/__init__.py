"""Alerts and paging: the runbook's Quick Response sections as Prometheus rules, the
Escalation Path as Alertmanager's routing, and the pager that receives the pages."""

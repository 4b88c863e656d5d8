"""The runbook scenarios carried to other engines (Chaos Toolkit)."""

"""`drill`, the command line: every command of runbook-drill, on top of the layers
(drill -> scenarios -> load -> harness); nothing below imports it."""

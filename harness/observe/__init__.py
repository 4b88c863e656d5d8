"""Recording, never judging: the observers (probes, scrapes, container state, logs,
engine events, alerts, pages) and the load generator append to the history; the
statistics every reader of it judges with."""

"""What users see of a run: result lines, JUnit XML, the runbook coverage."""

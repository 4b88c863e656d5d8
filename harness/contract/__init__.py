"""What the suite asks of a User API image (lines.py, written out in docs/contract.md)
and the pre-flight that checks the lines needing no chaos (preflight.py)."""

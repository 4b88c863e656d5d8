"""Running scenarios: a scenario's shape (scenario.py), the runner that drives one
through its phases and windows (runner.py), its journal (journal.py), the run-time
calibrations of a fault's magnitude (calibration.py) and the suite (suite.py)."""

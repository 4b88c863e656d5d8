"""The platform under every run: the Docker engine (found, installed, started), the
images (local, pulled or built offline), the session with its labels and sweeps, and
the Testcontainers set-up."""

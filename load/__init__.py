"""Load: Locust traffic for the User API during faults, recorded request by request."""

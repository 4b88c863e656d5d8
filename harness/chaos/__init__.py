"""The chaos core, in the order of the data flow: the stack under test, the faults
(nemesis), the observers and the load generator recording into the history, the checks
judging it afterwards, and the runner that drives a scenario through its phases."""

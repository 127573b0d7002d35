"""The hall twin: a recorded day's arrivals replayed through the hub's engine in-process, under
the day's decisions and under alternatives a manager names (issue 28; docs/twin.md)."""

"""The hub: queue engine, event log, wire contract v1 and the client every node uses."""

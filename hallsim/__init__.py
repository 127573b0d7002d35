"""The whole hall on one machine: a private broker, the hub, every node with simulated devices.

This package is the composition root (hall-demo, hall-bench): the only one that may import the
hub, the nodes and the devices together. Nothing imports it but tests.
"""

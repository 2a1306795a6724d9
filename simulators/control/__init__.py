"""The test-control API (/__sim/)."""

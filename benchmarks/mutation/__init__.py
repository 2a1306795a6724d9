"""Generated mutants of the simulator, scored against the features (see ``benchmarks.mutants``)."""

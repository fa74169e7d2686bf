"""On-demand benchmarks of flipdish-sim: ``python -m benchmarks`` prints the table (never run by pytest).

Every figure is a ratio against a bare baseline measured in the same run, because the machines these run
on are shared and noisy: compare ratios, never absolute rates across runs.
"""

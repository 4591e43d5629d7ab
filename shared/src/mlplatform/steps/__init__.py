"""Pure ML steps: raw-data rules, features, training and evaluation, drift, scoring.

No Dagster import: the assets, the tests and the benchmarks call these same functions.
"""

"""Benchmarks (`make bench`): list pages against a trivial-view floor, and ledger imports."""

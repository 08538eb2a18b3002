"""Synthetic data for scale tests and the benchmark: seeded (the same seed always gives the same
bytes), shaped like the real sources, and named under https://w3id.org/hospital-cyber-kg/synthetic/
so it can never be mistaken for, or merged into, the curated graph. Synthetic data is written to
files the caller chooses, never into data/."""

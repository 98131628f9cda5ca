"""A synthetic data set in the raw-data contract (`runner.py generate`): customer_pyramid/synthetic/generate.py."""

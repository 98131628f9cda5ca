"""customer_pyramid: the Python side of the dbt project (loading, generating, running, reporting)."""

__version__ = "0.2.0"

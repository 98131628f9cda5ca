"""Predicted lifetime value: the purchase models (BG/NBD, MBG/NBD) and the Gamma-Gamma spend model,
pure numpy/scipy (customer_pyramid/clv/models.py, tested alone), and the tables the build writes from
them (customer_pyramid/clv/tables.py: parameters, predictions, backtest), the same from a dbt Python
model or from the runner's CLV step."""

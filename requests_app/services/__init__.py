"""Services of the requests app: one module per group of use cases."""

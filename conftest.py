# Shared fixtures (the `world` of two centres and one user per role) live in cipnet/testing.py.
pytest_plugins = ["cipnet.testing"]

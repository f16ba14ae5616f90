"""Demo data for the directory: a small, realistic network of centres for trying CIPnet out.

`centres.json` is data only; `loader.py` turns it into records through the directory services;
`accounts.py` adds one demo account per role, holding its role in those centres and regions.
"""

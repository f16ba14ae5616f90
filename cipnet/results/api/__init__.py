"""The results app's JSON interface (`/api/v1/results/`)."""

"""Staff pages of the consultation log, one module per use case: `entry` (quick entry and the
day's tally), `entries` (the list, changes, history, exports), `dashboards` (a centre's and a
region's figures, targets, free-text candidates). Every page is scoped through the selectors
(404 outside the user's scope)."""

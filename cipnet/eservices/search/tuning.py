"""The numbers that tune the catalogue search (see the package's docstring)."""

from __future__ import annotations

#: Longest query we look at (characters, after normalising).
MAX_QUERY_LENGTH = 200
#: Points for a query word found in a field; a word counts once, in its best field.
FIELD_WEIGHTS: dict[str, float] = {"name": 8.0, "keywords": 4.0, "description": 2.0, "guide": 1.0}
FIELDS = tuple(FIELD_WEIGHTS)
#: Added when a query of two or more words matched every one of them.
ALL_TERMS_BONUS = 2.0
#: Popularity 0–100 adds up to this much: enough to order equals, never to beat a better field.
POPULARITY_BONUS = 0.5
#: Outdated cards stay findable but below current ones that match as well.
OUTDATED_FACTOR = 0.5
#: At most this many vocabulary words stand in for an unfinished last word (autocomplete).
PREFIX_EXPANSIONS = 40
#: A word of the same stem ("пенсійний" for "пенсія") counts this much of an exact match.
RELATED_FACTOR = 0.5
RELATED_MIN_STEM = 5
RELATED_LIMIT = 10
FTS_TABLE = "eservices_card_fts"

"""Catalogue search that understands Ukrainian: lemmas, synonyms, Russian, typos.

One pipeline serves SQLite and PostgreSQL so that both order results identically:

1. ``normalise_query``: NFC, lower case, one apostrophe, single spaces, capped length;
2. synonyms: the coordinators' ``Synonym`` rows (and a small built-in Russian → Ukrainian
   map) add their expansion to the word or phrase of the query they match;
3. ``analyse``: words → lemmas with pymorphy3 (Ukrainian dictionary, the Russian one for
   words Ukrainian does not know), stop-words dropped, abbreviations kept;
4. typo tolerance: a word whose lemmas are not in the index vocabulary is corrected to the
   closest vocabulary word (restricted Damerau–Levenshtein distance, 1 for words of 4–6
   letters, 2 for longer ones);
5. candidates from per-lemma postings cached with the vocabulary (lemma → cards by the weight
   of their best field holding it), read from the lemma strings ``index_card`` writes (the
   full-text index — FTS5 on SQLite, a ``tsvector`` on PostgreSQL — holds the same lemmas and
   the word forms);
6. ranking in Python: name 8 > keywords 4 > description 2 > guide 1 per query word, a bonus
   when every word matched, a small one for popularity; outdated cards demoted, withdrawn
   cards never shown.

Writes call ``index_card`` explicitly (``services._after_write``): no signals, no triggers.

Modules: ``tuning`` (the weights), ``lemmas`` (1, 3), ``vocabulary`` (4), ``index`` (5, the
writing side), ``query`` (2, 4–6: ``search``, ``autocomplete``, ``highlight``). The names below
are the package's public surface.
"""

from cipnet.eservices.search.index import index_card, rebuild_index
from cipnet.eservices.search.lemmas import analyse, clear_caches, normalise_query
from cipnet.eservices.search.query import Hit, SearchResult, autocomplete, highlight, search
from cipnet.eservices.search.tuning import FIELD_WEIGHTS, FIELDS, FTS_TABLE, MAX_QUERY_LENGTH, RELATED_FACTOR
from cipnet.eservices.search.vocabulary import invalidate_vocabulary

__all__ = [
    "FIELDS",
    "FIELD_WEIGHTS",
    "FTS_TABLE",
    "MAX_QUERY_LENGTH",
    "RELATED_FACTOR",
    "Hit",
    "SearchResult",
    "analyse",
    "autocomplete",
    "clear_caches",
    "highlight",
    "index_card",
    "invalidate_vocabulary",
    "normalise_query",
    "rebuild_index",
    "search",
]

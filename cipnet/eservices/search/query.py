"""A query → ranked cards: synonyms, typo correction, full-text candidates, scoring in Python."""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.safestring import SafeString, mark_safe

from cipnet.eservices.models import CardSearchDocument, CardStatus, ServiceCard, Synonym
from cipnet.eservices.search.lemmas import (
    BUILTIN_SYNONYMS,
    RUSSIAN_TO_UKRAINIAN,
    WORD_RE,
    Token,
    is_known_word,
    lemma_key,
    normalise_query,
    phrase_lemmas,
    tokenise,
)
from cipnet.eservices.search.tuning import (
    ALL_TERMS_BONUS,
    FIELD_WEIGHTS,
    FIELDS,
    FTS_TABLE,
    OUTDATED_FACTOR,
    POPULARITY_BONUS,
    RELATED_FACTOR,
)
from cipnet.eservices.search.vocabulary import Vocabulary, get_vocabulary, nearest_word
from cipnet.eservices.selectors import CardFilters, card_filter

# --------------------------------------------------------------------------------------------
# Query
# --------------------------------------------------------------------------------------------


@dataclass
class Hit:
    card: ServiceCard
    score: float
    #: Field ("name", "keywords", "description", "guide") → the query lemmas found in it.
    matched: dict[str, set[str]]


@dataclass
class SearchResult:
    hits: list[Hit]
    query: str  # normalised
    terms: list[str]  # every lemma searched for, for highlighting
    corrected: dict[str, str]  # word as typed → vocabulary word it was read as
    expanded_by_synonym: list[str]  # phrases added by synonyms


@dataclass
class _Group:
    """One word of the query and what may stand for it.

    Each alternative is a phrase (its lemmas) with a factor: 1 for the word's own lemmas, a
    synonym, a typo correction or a completion; ``RELATED_FACTOR`` for a word of the same stem.
    """

    token: Token
    alternatives: dict[tuple[str, ...], float] = field(default_factory=dict)
    completions: set[str] = field(default_factory=set)  # added for an unfinished word: no related words

    def add(self, phrase: tuple[str, ...], factor: float = 1.0) -> bool:
        if not phrase or self.alternatives.get(phrase, 0.0) >= factor:
            return False
        self.alternatives[phrase] = factor
        return True

    def terms(self) -> list[str]:
        return [lemma for phrase in self.alternatives for lemma in phrase]


def _expansion_phrases(expansion: str) -> list[tuple[str, ...]]:
    """A synonym may list several things to search for, separated by commas or semicolons."""
    phrases = (phrase_lemmas(part.strip()) for part in re.split(r"[,;]", expansion))
    return list(dict.fromkeys(phrase for phrase in phrases if phrase))


def _synonym_pairs() -> list[tuple[str, str]]:
    """Coordinators' synonyms first, then the built-in ones they do not override."""
    pairs = [(normalise_query(term), expansion) for term, expansion in Synonym.objects.values_list("term", "expansion")]
    seen = {term for term, _expansion in pairs}
    for builtin in (BUILTIN_SYNONYMS, RUSSIAN_TO_UKRAINIAN):
        for term, expansion in builtin.items():
            if term not in seen:
                pairs.append((term, expansion))
                seen.add(term)
    return pairs


@functools.lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")


def _match_spans(term: str, query: str, tokens: Sequence[Token], spans: Sequence[tuple[int, int]]) -> list[int]:
    """Indexes of the query tokens a synonym term covers (empty when it does not match).

    A term matches the whole query, a word or phrase written inside it, or the same words in
    other forms (lemma by lemma: "прописку" matches the term "прописка").
    """
    if not term or not tokens:
        return []
    if term == query:
        return list(range(len(tokens)))
    covered: list[int] = []
    for match in _term_pattern(term).finditer(query):
        covered.extend(i for i, (start, end) in enumerate(spans) if start >= match.start() and end <= match.end())
    if covered:
        return sorted(set(covered))
    lemmas = phrase_lemmas(term)
    n = len(lemmas)
    if not n:
        return []
    for i in range(len(tokens) - n + 1):
        if all(lemmas[j] in tokens[i + j].lemmas for j in range(n)):
            covered.extend(range(i, i + n))
    return sorted(set(covered))


def _query_tokens(query: str) -> tuple[list[Token], list[tuple[int, int]]]:
    """Meaningful tokens of a normalised query with their character spans."""
    tokens: list[Token] = []
    spans: list[tuple[int, int]] = []
    for match in WORD_RE.finditer(query):
        found = tokenise(match.group())
        if found:
            tokens.append(found[0])
            spans.append((match.start(), match.end()))
    return tokens, spans


@dataclass
class _Plan:
    query: str
    groups: list[_Group]
    corrected: dict[str, str]
    expanded: list[str]
    prefix: str | None

    def terms(self) -> list[str]:
        return list(dict.fromkeys(term for group in self.groups for term in group.terms()))

    def scorer(self) -> _Scorer:
        return _Scorer(self)


class _Scorer:
    """Scores one card's fields against a plan; built once per search (a search may rank thousands)."""

    def __init__(self, plan: _Plan) -> None:
        self.terms = frozenset(plan.terms())
        self.groups: list[tuple[dict[str, float], list[tuple[tuple[str, ...], float]]]] = []
        for group in plan.groups:
            singles: dict[str, float] = {}
            phrases = []
            for phrase, factor in group.alternatives.items():
                if len(phrase) == 1:
                    singles[phrase[0]] = max(factor, singles.get(phrase[0], 0.0))
                else:
                    phrases.append((phrase, factor))
            self.groups.append((singles, phrases))

    def __call__(
        self, fields: Mapping[str, AbstractSet[str]], popularity: int, status: str
    ) -> tuple[float, dict[str, set[str]]]:
        matched = {name: set(found) for name in FIELDS if (found := fields[name] & self.terms)}
        if not matched:
            return 0.0, {}
        weights: dict[str, float] = {}
        for name in reversed(FIELDS):  # a word counts once, in its best field
            for term in matched.get(name, ()):
                weights[term] = FIELD_WEIGHTS[name]
        total = 0.0
        matched_groups = 0
        for singles, phrases in self.groups:
            best = max((singles[term] * weights[term] for term in singles.keys() & weights.keys()), default=0.0)
            for phrase, factor in phrases:
                best = max(best, factor * sum(weights.get(lemma, 0.0) for lemma in phrase) / len(phrase))
            if best > 0:
                matched_groups += 1
            total += best
        if len(self.groups) > 1 and matched_groups == len(self.groups):
            total += ALL_TERMS_BONUS
        total += POPULARITY_BONUS * min(max(popularity, 0), 100) / 100
        if status == CardStatus.OUTDATED:
            total *= OUTDATED_FACTOR
        return round(total, 6), matched


def _plan(query: str, *, prefix: bool, vocabulary: Vocabulary) -> _Plan:
    tokens, spans = _query_tokens(query)
    groups = [_Group(token=token, alternatives={(lemma,): 1.0 for lemma in token.lemmas}) for token in tokens]
    expanded: list[str] = []
    for term, expansion in _synonym_pairs():
        covered = _match_spans(term, query, tokens, spans)
        if not covered:
            continue
        added = False
        for phrase in _expansion_phrases(expansion):
            for i in covered:
                added = groups[i].add(phrase) or added
        if added and expansion not in expanded:
            expanded.append(expansion)

    last_prefix: str | None = None
    if prefix and groups:
        last = groups[-1]
        # Only an unfinished word at the very end of the text is a prefix.
        if spans[-1][1] == len(query):
            last_prefix = last.token.form
            for lemma in vocabulary.with_prefix(last_prefix):
                if last.add((lemma,)):
                    last.completions.add(lemma)

    corrected: dict[str, str] = {}
    for group in groups:
        if any(term in vocabulary for term in group.terms()):
            continue
        word = group.token.form
        nearest = nearest_word(word, vocabulary, known=is_known_word(word))
        if nearest is None:
            continue
        spelling, lemmas = nearest
        corrected[word] = spelling
        for lemma in lemmas:
            group.add((lemma,))

    for group in groups:
        for phrase in list(group.alternatives):
            if len(phrase) == 1 and phrase[0] not in group.completions:
                for related in vocabulary.related(phrase[0]):
                    group.add((related,), RELATED_FACTOR)
    return _Plan(query=query, groups=groups, corrected=corrected, expanded=expanded, prefix=last_prefix)


def _fts_query(terms: Sequence[str], prefix: str | None) -> str:
    words = [t for t in dict.fromkeys(terms) if _LEXEME_RE.match(t)]
    if connection.vendor == "postgresql":
        parts = list(words)
        if prefix and _LEXEME_RE.match(prefix):
            parts.append(f"{prefix}:*")
        return " | ".join(parts)
    parts = [f'"{t}"' for t in words]
    if prefix and _LEXEME_RE.match(prefix):
        parts.append(f'"{prefix}"*')
    return " OR ".join(parts)


#: What may go into a full-text query literally: the index holds only such words.
_LEXEME_RE = re.compile(r"^[^\W_]+$")


def _candidate_filter(terms: Sequence[str], prefix: str | None) -> Q | None:
    """A condition selecting the cards whose index row contains any term."""
    fts = _fts_query(terms, prefix)
    if not fts:
        return None
    if connection.vendor == "sqlite":
        sql = f"SELECT card_id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
    elif connection.vendor == "postgresql":
        sql = f"SELECT card_id FROM {FTS_TABLE} WHERE terms @@ to_tsquery('simple', %s)"  # noqa: S608
    else:  # Other databases: no full-text index, Python ranks every card.
        return Q()
    return Q(pk__in=RawSQL(sql, [fts]))  # noqa: S611 - constant SQL, the query is a parameter


def search(query: str, *, limit: int = 20, filters: CardFilters | None = None, prefix: bool = False) -> SearchResult:
    """Cards for what a person typed, best first, among those the filters' other fields allow
    (``selectors.card_filter``: the catalogue list's own rule). ``prefix`` reads the last word as
    unfinished."""
    normalised = normalise_query(query)
    if not normalised:
        return SearchResult(hits=[], query=normalised, terms=[], corrected={}, expanded_by_synonym=[])
    vocabulary = get_vocabulary()
    # A space after the last word says it is finished.
    plan = _plan(normalised, prefix=prefix and not query[-1:].isspace(), vocabulary=vocabulary)
    terms = plan.terms()
    result = SearchResult(
        hits=[], query=normalised, terms=terms, corrected=plan.corrected, expanded_by_synonym=plan.expanded
    )
    if not plan.groups:
        return result
    condition = _candidate_filter([t for t in terms if t in vocabulary], plan.prefix)
    if condition is None:
        return result
    qs: QuerySet[ServiceCard] = ServiceCard.objects.public().filter(condition)
    if filters is not None:
        qs = card_filter(qs, filters)
    qs = qs.filter(search_document__isnull=False)
    rows = qs.values_list("pk", "name", "identifier", "popularity", "status")
    score_card = plan.scorer()
    scored: list[tuple[tuple[float, int, str, str], int, float, dict[str, set[str]]]] = []
    for pk, name, identifier, popularity, status in rows:
        fields = vocabulary.fields.get(pk)
        if fields is None:  # indexed after the cache was read: read this one card's terms
            fields = _document_fields(pk)
        score, matched = score_card(fields, popularity, status)
        if score > 0:
            scored.append(((-score, -popularity, name, identifier), pk, score, matched))
    scored.sort(key=lambda row: row[0])
    top = scored[: max(limit, 0)]
    cards = ServiceCard.objects.select_related("provider", "territory").in_bulk([row[1] for row in top])
    result.hits = [
        Hit(card=cards[pk], score=score, matched=matched) for _sort, pk, score, matched in top if pk in cards
    ]
    return result


def _document_fields(card_id: int) -> dict[str, frozenset[str]]:
    texts = CardSearchDocument.objects.filter(card_id=card_id).values_list(
        "name_terms", "keyword_terms", "description_terms", "guide_terms"
    ).first() or ("", "", "", "")
    return {name: frozenset(text.split()) for name, text in zip(FIELDS, texts, strict=True)}


def autocomplete(text: str, *, limit: int = 8) -> list[Hit]:
    """Cards as a consultant types: the last word may be unfinished."""
    return search(text, limit=limit, prefix=True).hits


def highlight(text: str, terms: Iterable[str]) -> SafeString:
    """``text`` HTML-escaped, with the words whose lemma is among ``terms`` in ``<mark>``."""
    wanted = {lemma_key(normalise_query(term)) for term in terms if term}
    text = str(text or "")
    if not wanted:
        return mark_safe(html.escape(text))  # escaped just above
    out: list[str] = []
    position = 0
    for match in WORD_RE.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        word = match.group()
        tokens = tokenise(word, keep_stop_words=True)
        lemmas = set(tokens[0].lemmas) | {tokens[0].form} if tokens else set()
        if lemmas & wanted:
            out.append(f"<mark>{html.escape(word)}</mark>")
        else:
            out.append(html.escape(word))
        position = match.end()
    out.append(html.escape(text[position:]))
    return mark_safe("".join(out))  # every piece is escaped

"""A query → ranked cards: synonyms, typo correction, full-text candidates, scoring in Python."""

from __future__ import annotations

import functools
import heapq
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from cipnet.eservices.models import CardSearchDocument, ServiceCard, Synonym
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
    FIELDS,
    OUTDATED_FACTOR,
    RELATED_FACTOR,
)
from cipnet.eservices.search.vocabulary import CardFacts, Vocabulary, get_vocabulary, nearest_word
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


Postings = Mapping[str, tuple[tuple[float, frozenset[int]], ...]]


def _group_best(group: _Group, postings: Postings) -> dict[int, float]:
    """Each card's best points for one word of the query: its best alternative in its best field.

    A single word scores ``factor × field weight``; a phrase the mean of its words' weights × factor.
    """
    tiers = sorted(
        (
            (factor * weight, cards)
            for phrase, factor in group.alternatives.items()
            if len(phrase) == 1
            for weight, cards in postings.get(phrase[0], ())
        ),
        key=lambda tier: tier[0],
        reverse=True,
    )
    best: dict[int, float] = {}
    seen: set[int] = set()
    for value, cards in tiers:  # best value first: each card takes the first it is in
        new = cards - seen
        if new:
            best.update(dict.fromkeys(new, value))
            seen |= new
    for phrase, factor in group.alternatives.items():
        if len(phrase) == 1:
            continue
        sums: dict[int, float] = {}
        for lemma in phrase:
            for weight, cards in postings.get(lemma, ()):
                for card in cards:
                    sums[card] = sums.get(card, 0.0) + weight
        for card, total in sums.items():
            value = factor * total / len(phrase)
            if value > best.get(card, 0.0):
                best[card] = value
    return best


def _scores(plan: _Plan, vocabulary: Vocabulary, allowed: AbstractSet[int] | None) -> dict[int, float]:
    """Score of every card that holds a word of the query (and that ``allowed`` admits), from the postings.

    Per word of the query, its best points (`_group_best`); a bonus when every word matched, a small
    one for popularity; outdated cards demoted. Cards with no word of the query are not scored.
    """
    postings = vocabulary.postings
    candidates: set[int] = set()
    for term in plan.terms():
        if _LEXEME_RE.match(term):
            for _weight, cards in postings.get(term, ()):
                candidates |= cards
    if allowed is not None:
        candidates &= allowed
    if not candidates:
        return {}
    totals = dict.fromkeys(candidates, 0.0)
    complete = set(candidates)  # the cards that matched every word of the query
    for group in plan.groups:
        best = _group_best(group, postings)
        complete.intersection_update(best)
        for card, value in best.items():
            if card in totals:
                totals[card] += value
    if len(plan.groups) < 2:
        complete = set()
    bonus, outdated = vocabulary.popularity_bonus, vocabulary.outdated
    scores: dict[int, float] = {}
    for card, total in totals.items():
        if card in complete:
            total += ALL_TERMS_BONUS
        total += bonus[card]
        if card in outdated:
            total *= OUTDATED_FACTOR
        scores[card] = round(total, 6)
    return scores


def _best(scores: Mapping[int, float], cards: Mapping[int, CardFacts], limit: int) -> list[int]:
    """The ``limit`` best cards: score, then popularity, name, identifier. Only the cards scoring at
    least the ``limit``-th best score are sorted in full."""
    if limit <= 0 or not scores:
        return []
    threshold = heapq.nlargest(limit, scores.values())[-1]
    contenders = [pk for pk, score in scores.items() if score >= threshold]
    contenders.sort(key=lambda pk: (-scores[pk], -cards[pk].popularity, cards[pk].name, cards[pk].identifier))
    return contenders[:limit]


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


#: What may go into a full-text query literally: the index holds only such words.
_LEXEME_RE = re.compile(r"^[^\W_]+$")


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
    allowed: set[int] | None = None
    if filters is not None and filters.narrowed:
        allowed = set(card_filter(ServiceCard.objects.public(), filters).values_list("pk", flat=True))
    scores = _scores(plan, vocabulary, allowed)
    top = _best(scores, vocabulary.cards, limit)
    shown = (
        ServiceCard.objects.public()
        .filter(search_document__isnull=False)
        .select_related("provider", "territory", "search_document")
        .in_bulk(top)
    )
    wanted = frozenset(terms)
    result.hits = [
        Hit(card=shown[pk], score=scores[pk], matched=_matched(shown[pk].search_document, wanted))
        for pk in top
        if pk in shown
    ]
    return result


def _matched(document: CardSearchDocument, terms: frozenset[str]) -> dict[str, set[str]]:
    """Field → the query's lemmas found in it ("why it matched")."""
    texts = (document.name_terms, document.keyword_terms, document.description_terms, document.guide_terms)
    return {name: found for name, text in zip(FIELDS, texts, strict=True) if (found := set(text.split()) & terms)}


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

"""For every source, period and scope, each breakdown adds up to the total (issue 16), over random rows."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cipnet.consultations.models import AgeBand, Consultation, Gender, HelpKind, Outcome, SettlementType
from cipnet.consultations.rollups import rebuild
from cipnet.core.clock import at
from cipnet.results.sources import COUNT, REGISTRY, Scope
from cipnet.testing import World

FIRST = dt.date(2014, 9, 1)
rows = st.lists(
    st.tuples(
        st.integers(0, 1),  # centre a or b
        st.integers(0, 120),  # day after FIRST
        st.sampled_from(Gender.values),
        st.sampled_from(AgeBand.values),
        st.sampled_from(SettlementType.values),
        st.sampled_from(HelpKind.values),
        st.sampled_from(Outcome.values),
    ),
    max_size=40,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=rows,
    span=st.tuples(st.integers(0, 120), st.integers(0, 120)),
    scope_kind=st.sampled_from(["network", "region", "centre", "programme"]),
)
def test_every_breakdown_adds_up_to_its_total(
    world: World, data: list[tuple], span: tuple[int, int], scope_kind: str
) -> None:
    centres = [world.centre_a, world.centre_b]
    Consultation.objects.all().delete()
    entries = []
    for c, offset, gender, age, settlement, kind, outcome in data:
        day = FIRST + dt.timedelta(days=offset)
        entries.append(
            Consultation(
                centre=centres[c],
                occurred_at=at(day, dt.time(10)),
                day=day,
                help_kind=kind,
                outcome=outcome,
                gender=gender,
                age_band=age,
                settlement_type=settlement,
            )
        )
    Consultation.objects.bulk_create(entries)
    rebuild(centre_ids=[c.pk for c in centres])
    start, end = sorted(FIRST + dt.timedelta(days=d) for d in span)
    scope = {
        "network": Scope(),
        "region": Scope(region_id=world.region_b.pk),
        "centre": Scope(centre_id=world.centre_a.pk),
        "programme": Scope(within=(world.centre_b.pk,)),
    }[scope_kind]
    for source in REGISTRY.values():
        if source.kind == COUNT and source.count is not None:
            parts = [source.count(scope, start, end)]
        elif source.ratio is not None:
            parts = list(source.ratio(scope, start, end))
        for counts in parts:
            for dimension in source.dimensions:
                assert sum(counts.by.get(dimension, {}).values()) == counts.total, (source.key, dimension)
    # And the totals are the rows themselves.
    in_scope = [
        e
        for e in entries
        if start <= e.day <= end
        and (
            scope_kind == "network"
            or (scope_kind == "region" and e.centre.region_id == world.region_b.pk)
            or (scope_kind == "centre" and e.centre == world.centre_a)
            or (scope_kind == "programme" and e.centre == world.centre_b)
        )
    ]
    assert REGISTRY["consultations"].count(scope, start, end).total == len(in_scope)  # type: ignore[misc]
    done = [e for e in in_scope if e.help_kind == HelpKind.ESERVICE and e.outcome == Outcome.COMPLETED]
    assert REGISTRY["eservices_completed"].count(scope, start, end).total == len(done)  # type: ignore[misc]

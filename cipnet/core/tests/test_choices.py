"""Choice lists read their rows in one plain query (cipnet.core.choices)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cipnet.directory.forms import FinderForm
from cipnet.directory.models import Region
from cipnet.eservices.forms import CatalogueForm

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("form_class", [FinderForm, CatalogueForm])
def test_a_public_form_renders_its_choice_lists_without_a_server_side_cursor(form_class: type) -> None:
    form = form_class()
    with CaptureQueriesContext(connection) as queries:
        html = str(form)
    assert all("DECLARE" not in q["sql"] for q in queries.captured_queries), [q["sql"][:80] for q in queries]
    for region in Region.objects.all():
        assert region.display_name in html

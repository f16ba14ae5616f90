"""Choice lists of model rows read in one plain query.

Django's `ModelChoiceIterator` reads its rows with `QuerySet.iterator()`, which on PostgreSQL opens a
server-side cursor (`DECLARE … CURSOR WITH HOLD`, planned for the first rows): about 10 ms for the
27 regions of the finder's select, paid by every page that shows the list (measured for issue 15).
A select holds a few dozen rows, which a plain query reads at once; the exports keep `iterator()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator


class ListedChoiceIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # evaluated once, kept by the field's queryset for this form
            yield self.choice(obj)


def list_choices(*fields: forms.Field) -> None:
    """Make these model choice fields read their rows in one plain query (`ListedChoiceIterator`)."""
    for field in fields:
        if isinstance(field, forms.ModelChoiceField) and field.iterator is ModelChoiceIterator:
            field.iterator = ListedChoiceIterator
            field.widget.choices = field.choices  # the widget took its choices when the queryset was set

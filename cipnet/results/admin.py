"""The network's administrators set up programmes here: the logframe, indicators, targets and the values
CIPnet cannot observe (with their evidence). Everyone else reads results on the results pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cipnet.accounts.scopes import scope_for
from cipnet.results.models import DonorReport, Indicator, ManualValue, Programme, Result, Target
from cipnet.results.sources import REGISTRY


class NetworkOnly:
    """Only the network's staff (and superusers) see or change programmes in the admin."""

    def _network(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and scope_for(user).network)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._network(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._network(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._network(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._network(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._network(request)


class ResultInline(NetworkOnly, admin.TabularInline):
    model = Result
    extra = 0
    fields = ("code", "level", "parent", "title", "title_en", "title_pl", "position")


@admin.register(Programme)
class ProgrammeAdmin(NetworkOnly, admin.ModelAdmin):
    list_display = ("code", "title", "donor", "starts_on", "ends_on", "is_public")
    list_filter = ("is_public", "donor")
    search_fields = ("code", "title", "title_en", "donor")
    filter_horizontal = ("centres",)
    inlines = (ResultInline,)


class IndicatorForm(forms.ModelForm):
    source = forms.ChoiceField(
        label=_("computed from"),
        required=False,
        choices=[("", _("— entered by hand, with evidence —"))],
        help_text=_("A computation over CIPnet's own records; empty for facts CIPnet cannot observe."),
    )

    class Meta:
        model = Indicator
        fields = (
            "result", "code", "title", "title_en", "title_pl", "measure", "direction", "aggregation",
            "baseline", "target", "frequency", "verification", "owner", "disaggregations",
            "source", "position",
        )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = cast(forms.ChoiceField, self.fields["source"])
        source.choices = [
            ("", _("— entered by hand, with evidence —")),
            *((key, str(source.label)) for key, source in REGISTRY.items()),
        ]


class TargetInline(NetworkOnly, admin.TabularInline):
    model = Target
    extra = 0
    fields = ("region", "centre", "starts_on", "ends_on", "value")
    autocomplete_fields = ("centre",)


class ManualValueInline(NetworkOnly, admin.TabularInline):
    model = ManualValue
    extra = 0
    fields = ("region", "centre", "starts_on", "ends_on", "value", "text", "evidence", "evidence_note", "entered_by")
    readonly_fields = ("entered_by",)
    autocomplete_fields = ("centre",)


@admin.register(Indicator)
class IndicatorAdmin(NetworkOnly, admin.ModelAdmin):
    form = IndicatorForm
    list_display = ("code", "title", "result", "measure", "aggregation", "source", "target")
    list_filter = ("result__programme", "measure", "source")
    search_fields = ("code", "title", "title_en")
    inlines = (TargetInline, ManualValueInline)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is ManualValue:
            for value in formset.save(commit=False):
                if form.instance.source:
                    continue  # a computed indicator takes no typed value (the form says so below)
                value.entered_by = request.user
                value.save()
            for gone in formset.deleted_objects:
                gone.delete()
            return
        super().save_formset(request, form, formset, change)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.source:
            return (TargetInline,)  # computed: targets only
        return self.inlines


@admin.register(DonorReport)
class DonorReportAdmin(NetworkOnly, admin.ModelAdmin):
    """Made reports are kept as they were made: shown, never changed."""

    list_display = ("programme", "starts_on", "ends_on", "created_at", "generated_by", "sha256")
    list_filter = ("programme",)
    exclude = ("content", "iati_xml", "figures")
    readonly_fields = ("programme", "starts_on", "ends_on", "generated_by", "sha256", "iati_sha256")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

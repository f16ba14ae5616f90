from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def jsonld(data: Any) -> SafeString:
    """A schema.org block; escaped like json_script so text cannot close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def km(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


@register.simple_tag(takes_context=True)
def field_errors_id(context: dict[str, Any], field: Any) -> str:
    return f"{field.auto_id}-error" if field.errors else ""


@register.inclusion_tag("includes/field.html")
def formfield(field: Any, css_class: str = "") -> dict[str, Any]:
    """One form field, GOV.UK style: label, hint, error next to it, input described by both."""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_hint")
    if field.errors:
        described.append(f"{field.auto_id}_error")
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "")
    attrs = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    # Radio groups and checkbox groups are fieldsets with a legend, one label per option.
    multiple = input_type == "radio" or (input_type == "checkbox" and getattr(widget, "allow_multiple_selected", False))
    return {
        "field": field,
        "rendered": "" if multiple else field.as_widget(attrs=attrs),
        "is_checkbox": input_type == "checkbox" and not multiple,
        "is_multiple": multiple,
        "css_class": css_class,
    }


@register.simple_tag
def widget(field: Any) -> SafeString:
    """Just the input, described by its error message when there is one (for grid layouts)."""
    attrs = {"aria-describedby": f"{field.auto_id}_error", "aria-invalid": "true"} if field.errors else {}
    return field.as_widget(attrs=attrs)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping[key]` in a template (None when absent)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def parse_iso(value: Any) -> Any:
    """An ISO 8601 date-time string (as stored in event data) as an aware datetime, or "" if not one."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return ""


@register.filter(name="lang", is_safe=True)
def lang(value: Any) -> SafeString:
    """`value`, escaped, in `<span lang="uk">` when it is Ukrainian content on a page in another language.

    For content shown in Ukrainian because its translation is missing (`Localized`) and for content
    kept only in Ukrainian (addresses, a card's steps): screen readers then read it as Ukrainian.
    """
    from cipnet.core.i18n import marked

    return marked(value)


@register.filter(is_safe=True)
def lang_attr(value: Any) -> SafeString:
    """` lang="uk"` for an element that holds `value`, when that is Ukrainian content on a page in
    another language (for containers: `<li{{ step|lang_attr }}>`), else nothing."""
    from cipnet.core.i18n import content_language, current_language

    language = content_language(value)
    if language and language != current_language():
        return format_html(' lang="{}"', language)
    return mark_safe("")


@register.filter
def number(value: Any, places: int = 2) -> str:
    """A figure as people write it in the page's language: at most `places` decimals, none that are
    trailing zeros, thousands grouped ("1 607", "87,5", "98,75"); "" for None."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

    from django.utils import formats, numberformat

    if value is None or value == "":
        return ""
    try:
        rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-int(places)), ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(rounded, "f")
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return numberformat.format(
        rounded,
        formats.get_format("DECIMAL_SEPARATOR"),
        decimal_pos=decimals,
        grouping=formats.get_format("NUMBER_GROUPING") or 3,
        thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )

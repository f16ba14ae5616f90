"""Each centre's weekly hours hour by hour, for the finder's "open now" (issue 15); existing centres are
marked from their stored hours here."""

from typing import Any

from django.db import migrations, models


def mark_weeks(apps: Any, schema_editor: Any) -> None:
    from cipnet.directory.hours import Interval, week_by_hour

    Centre = apps.get_model("directory", "Centre")
    OpeningHours = apps.get_model("directory", "OpeningHours")
    weekly: dict[int, dict[int, list[Interval]]] = {}
    for centre_id, weekday, opens, closes in OpeningHours.objects.values_list("centre_id", "weekday", "opens", "closes"):
        weekly.setdefault(centre_id, {}).setdefault(weekday, []).append(Interval(opens, closes))
    centres = list(Centre.objects.only("pk"))
    for centre in centres:
        centre.week_by_hour = week_by_hour(weekly.get(centre.pk, {}))
    Centre.objects.bulk_update(centres, ["week_by_hour"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_finder_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="centre",
            name="week_by_hour",
            field=models.CharField(blank=True, default="", editable=False, max_length=168),
        ),
        migrations.RunPython(mark_weeks, migrations.RunPython.noop),
    ]

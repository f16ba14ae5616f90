from django.db import migrations, models


def fill(apps, schema_editor):
    """The cases already published get their search text (what `publication.register_search_text` makes)."""
    from cipnet.core.text import search_key

    Appeal = apps.get_model("appeals", "Appeal")
    for appeal in Appeal.objects.filter(publication="published").iterator():
        appeal.public_search = search_key(
            " ".join((appeal.number or "", appeal.public_subject, appeal.public_text, appeal.public_answer))
        )
        appeal.save(update_fields=["public_search"])


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="appeal",
            name="public_search",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

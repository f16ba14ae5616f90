"""Fill the tallies' cross-tabulation of assisted e-services by outcome (rollups.ESERVICE_OUTCOME) from
the entries already logged; from now on the writers keep it (ADR 5)."""

# The SQL is built from this migration's constants only.
# ruff: noqa: S608

from django.db import migrations

DIMENSION = "eservice_outcome"
SUMS = (
    "COUNT(*), COALESCE(SUM(x.duration_minutes), 0), COUNT(x.duration_minutes), "
    "COALESCE(SUM(x.satisfaction), 0), COUNT(x.satisfaction)"
)
COLUMNS = "count, minutes_sum, minutes_n, score_sum, score_n"


def fill(apps, schema_editor):
    connection = schema_editor.connection
    pg = connection.vendor == "postgresql"

    def month(column: str) -> str:
        return f"CAST(date_trunc('month', {column}) AS date)" if pg else f"date({column}, 'start of month')"

    entries = (
        "consultations_consultation x JOIN directory_centre c ON c.id = x.centre_id "
        "WHERE x.help_kind = 'eservice'"
    )
    with connection.cursor() as cursor:
        for table in ("consultations_monthlytally", "consultations_regiondailytally", "consultations_regionmonthlytally"):
            cursor.execute(f"DELETE FROM {table} WHERE dimension = %s", [DIMENSION])
        cursor.execute(
            f"INSERT INTO consultations_monthlytally (centre_id, month, dimension, value, {COLUMNS}) "
            f"SELECT x.centre_id, {month('x.day')}, '{DIMENSION}', x.outcome, {SUMS} FROM {entries} "
            f"GROUP BY x.centre_id, {month('x.day')}, x.outcome"
        )
        cursor.execute(
            f"INSERT INTO consultations_regiondailytally (region_id, day, dimension, value, {COLUMNS}) "
            f"SELECT c.region_id, x.day, '{DIMENSION}', x.outcome, {SUMS} FROM {entries} "
            "GROUP BY c.region_id, x.day, x.outcome"
        )
        sums = ", ".join(f"SUM(d.{c.strip()})" for c in COLUMNS.split(","))
        cursor.execute(
            f"INSERT INTO consultations_regionmonthlytally (region_id, month, dimension, value, {COLUMNS}) "
            f"SELECT d.region_id, {month('d.day')}, d.dimension, d.value, {sums} "
            "FROM consultations_regiondailytally d WHERE d.dimension = %s "
            f"GROUP BY d.region_id, {month('d.day')}, d.dimension, d.value",
            [DIMENSION],
        )


def empty(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for table in ("consultations_monthlytally", "consultations_regiondailytally", "consultations_regionmonthlytally"):
            cursor.execute(f"DELETE FROM {table} WHERE dimension = %s", [DIMENSION])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0002_tallies_by_region"),
        ("directory", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill, empty)]

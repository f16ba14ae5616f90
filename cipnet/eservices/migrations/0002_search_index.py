"""The full-text index over the cards' lemmas (see cipnet/eservices/search.py).

SQLite: an FTS5 table whose rowid is the card id. PostgreSQL: a tsvector with a GIN index
(the 'simple' configuration: the lemmas are made in Python, PostgreSQL has no Ukrainian).
Kept up to date by ``search.index_card``; after migrating a database that already holds
cards, run ``manage.py rebuild_search_index``.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS eservices_card_fts USING fts5("
    "card_id UNINDEXED, terms, forms UNINDEXED, tokenize = 'unicode61 remove_diacritics 0')"
)
POSTGRESQL_CREATE = [
    "CREATE TABLE IF NOT EXISTS eservices_card_fts ("
    "card_id bigint PRIMARY KEY, terms tsvector NOT NULL, forms text NOT NULL DEFAULT '')",
    "CREATE INDEX IF NOT EXISTS eservices_card_fts_terms ON eservices_card_fts USING gin (terms)",
]
DROP = "DROP TABLE IF EXISTS eservices_card_fts"


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
    # Other databases have no index: search then ranks every card in Python.


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in ("sqlite", "postgresql"):
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("eservices", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]

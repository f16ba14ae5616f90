from django.db import models


class BaseModel(models.Model):
    """Every domain record knows when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PublicDataVersion(models.Model):
    """One row: a token that changes after every committed write to what public pages show
    (cipnet.core.pagecache keys the pages it keeps by it)."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "public data version"

    def __str__(self) -> str:
        return self.token

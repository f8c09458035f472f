# RateLimitHit moved here from orders. Its table (orders_ratelimithit, Meta.db_table) and its rows
# stay where orders.0003 created them: this migration takes the model into accounts' state only, and
# orders.0006 drops it from orders' state only. Its content type follows it, so the permissions staff
# were given on it keep holding.

import django.utils.timezone
from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="accounts", model="ratelimithit").exists():
        content_types.objects.filter(app_label="orders", model="ratelimithit").update(app_label="accounts")


def content_type_goes_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="orders", model="ratelimithit").exists():
        content_types.objects.filter(app_label="accounts", model="ratelimithit").update(app_label="orders")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0005_order_line_variant"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RateLimitHit",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("action", models.CharField(max_length=30)),
                        ("key", models.CharField(max_length=64)),
                        ("at", models.DateTimeField(default=django.utils.timezone.now)),
                    ],
                    options={
                        "db_table": "orders_ratelimithit",
                        "indexes": [
                            models.Index(fields=["action", "key", "at"], name="rate_limit_hit_key"),
                            models.Index(fields=["action", "at"], name="rate_limit_hit_age"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back, elidable=True),
    ]

# QueueWorker moved here from orders, with the queue's workers. Its table (orders_queueworker,
# Meta.db_table) and rows stay where orders.0006 created them: this migration takes the model into
# config's state only, and orders.0008 drops it from orders' state only. Its content type follows it.

from django.db import migrations, models


def content_type_follows(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="config", model="queueworker").exists():
        content_types.objects.filter(app_label="orders", model="queueworker").update(app_label="config")


def content_type_goes_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    if not content_types.objects.filter(app_label="orders", model="queueworker").exists():
        content_types.objects.filter(app_label="config", model="queueworker").update(app_label="orders")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("orders", "0006_queue_worker"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QueueWorker",
                    fields=[
                        ("worker_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("seen_at", models.DateTimeField()),
                    ],
                    options={"db_table": "orders_queueworker"},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_follows, content_type_goes_back, elidable=True),
    ]

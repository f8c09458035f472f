# QueueWorker moved to config (config.0001_initial) with the queue's workers, which keeps its table and
# rows: it leaves orders' state only, and nothing in the database changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("config", "0001_initial"),
        ("orders", "0007_rate_limit_hit_moved_to_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="QueueWorker")],
            database_operations=[],
        ),
    ]

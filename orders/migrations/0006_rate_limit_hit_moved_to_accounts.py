# RateLimitHit moved to accounts (accounts.0001_initial), which keeps its table and rows: it leaves
# orders' state only, and nothing in the database changes.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("orders", "0005_order_line_variant"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RateLimitHit")],
            database_operations=[],
        ),
    ]

"""ParameterOverride now belongs to the rules app (rules 0001 takes over the table)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("calculator", "0001_initial"),
        ("rules", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ParameterOverride")],
            database_operations=[],
        ),
    ]

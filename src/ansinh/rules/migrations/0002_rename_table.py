from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("rules", "0001_initial"),
        ("calculator", "0002_override_moves_to_rules"),
    ]

    operations = [
        migrations.AlterModelTable(name="parameteroverride", table=None),
    ]

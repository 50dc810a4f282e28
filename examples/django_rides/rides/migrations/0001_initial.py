from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []  # type: ignore[var-annotated]

    operations = [
        migrations.CreateModel(
            name="CallEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("session_id", models.CharField(max_length=256)),
                ("event_type", models.CharField(max_length=32)),
                ("received", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="CallRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("session_id", models.CharField(max_length=256, unique=True)),
                ("caller_num", models.CharField(max_length=32)),
                ("bind_num", models.CharField(max_length=32)),
            ],
        ),
    ]

"""The sending state lives on Message: Delivery drops its copy, and the indexes that served it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reminders", "0008_message_carry_over")]

    operations = [
        migrations.RemoveIndex(model_name="delivery", name="reminders_delivery_queue_idx"),
        migrations.RemoveIndex(model_name="delivery", name="reminders_delivery_sweep_idx"),
        migrations.RemoveIndex(model_name="delivery", name="reminders_delivery_message_idx"),
        migrations.RemoveField(model_name="delivery", name="message_key"),
        migrations.RemoveField(model_name="delivery", name="email"),
        migrations.RemoveField(model_name="delivery", name="cc"),
        migrations.RemoveField(model_name="delivery", name="subject"),
        migrations.RemoveField(model_name="delivery", name="attempts"),
        migrations.RemoveField(model_name="delivery", name="next_attempt_at"),
        migrations.RemoveField(model_name="delivery", name="claim_token"),
        migrations.RemoveField(model_name="delivery", name="claimed_at"),
        migrations.RemoveField(model_name="delivery", name="sent_at"),
        migrations.AlterField(
            model_name="delivery",
            name="deadline",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deliveries",
                to="reminders.deadline",
                verbose_name="到期事项",
            ),
        ),
    ]

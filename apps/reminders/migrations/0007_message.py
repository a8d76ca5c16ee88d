"""Emails as rows of their own: a Message carries the sending state of the reminders it lists."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_office_role"),
        ("reminders", "0006_delivery_message_key_and_dispatch_lease"),
    ]

    operations = [
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "message_key",
                    models.UUIDField(
                        editable=False, primary_key=True, serialize=False, verbose_name="邮件标记"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("pending", "待发送"),
                            ("sending", "发送中"),
                            ("sent", "已发送"),
                            ("failed", "发送失败"),
                            ("skipped", "已取消"),
                        ],
                        default="pending",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("email", models.CharField(blank=True, max_length=254, verbose_name="收件地址")),
                ("cc", models.CharField(blank=True, max_length=254, verbose_name="抄送")),
                ("subject", models.CharField(blank=True, max_length=300, verbose_name="主题")),
                ("attempts", models.PositiveSmallIntegerField(default=0, verbose_name="尝试次数")),
                ("next_attempt_at", models.DateTimeField(verbose_name="下次尝试时间")),
                (
                    "claim_token",
                    models.UUIDField(
                        blank=True, editable=False, null=True, verbose_name="领取标记"
                    ),
                ),
                (
                    "claimed_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="领取时间"),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True, verbose_name="发送时间")),
                ("last_error", models.TextField(blank=True, verbose_name="错误信息")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.person",
                        verbose_name="收件人",
                    ),
                ),
            ],
            options={
                "verbose_name": "提醒邮件",
                "verbose_name_plural": "提醒邮件",
                "ordering": ["-created_at", "-message_key"],
                "indexes": [
                    models.Index(
                        fields=["status", "next_attempt_at"], name="reminders_message_queue_idx"
                    ),
                    models.Index(
                        fields=["status", "claimed_at"], name="reminders_message_sweep_idx"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="delivery",
            name="message",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="deliveries",
                to="reminders.message",
                verbose_name="邮件",
            ),
        ),
    ]

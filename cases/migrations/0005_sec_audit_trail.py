"""Audit trail made tamper-evident: source IP, user agent, result and actor label on each
row; a hash chain over all rows (existing rows are chained in time order); the actor kept
without a foreign-key constraint so deleting a user never updates an audit row; triggers
that refuse UPDATE and DELETE (created last: on SQLite an AlterField rebuilds the table
and would drop them); and the quarantine of infected uploads."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import cases.models

GENESIS = "0" * 64


def chain_existing_rows(apps, schema_editor):
    from cases.audit.chain import row_hash

    AuditEntry = apps.get_model("cases", "AuditEntry")
    AuditChainHead = apps.get_model("cases", "AuditChainHead")
    db = schema_editor.connection.alias
    seq, prev = 0, GENESIS
    for entry in AuditEntry.objects.using(db).order_by("created_at", "pk").iterator():
        seq += 1
        values = {
            "code": entry.code,
            "actor_id": entry.actor_id,
            "actor_label": entry.actor_label,
            "created_at": entry.created_at,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "object_repr": entry.object_repr,
            "result": entry.result,
            "data": entry.data,
            "ip": entry.ip,
            "user_agent": entry.user_agent,
        }
        digest = row_hash(values, prev)
        AuditEntry.objects.using(db).filter(pk=entry.pk).update(
            seq=seq, prev_hash=prev, hash=digest
        )
        prev = digest
    AuditChainHead.objects.using(db).create(pk=1, seq=seq, hash=prev if seq else "")


def install_triggers(apps, schema_editor):
    from cases.audit import triggers

    triggers.install(schema_editor.connection)


def drop_triggers(apps, schema_editor):
    from cases.audit import triggers

    triggers.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_sec_accounts_security"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-seq"],
                "verbose_name": "审计记录",
                "verbose_name_plural": "审计记录",
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, editable=False, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_label",
            field=models.CharField(
                blank=True, default="", max_length=255, verbose_name="操作人账号"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="result",
            field=models.CharField(
                choices=[("success", "成功"), ("failure", "失败"), ("refused", "拒绝")],
                default="success",
                max_length=10,
                verbose_name="结果",
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="来源IP"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="user_agent",
            field=models.CharField(
                blank=True, default="", max_length=255, verbose_name="浏览器标识"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="上一条哈希"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default="", max_length=64)),
            ],
            options={
                "verbose_name": "审计链头",
                "verbose_name_plural": "审计链头",
                "default_permissions": (),
            },
        ),
        migrations.CreateModel(
            name="QuarantinedFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        max_length=255,
                        upload_to=cases.models.quarantine_upload_to,
                        verbose_name="文件",
                    ),
                ),
                ("original_name", models.CharField(max_length=255, verbose_name="原文件名")),
                ("size", models.PositiveBigIntegerField(verbose_name="大小(字节)")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("signature", models.CharField(max_length=255, verbose_name="病毒特征")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="上传人",
                    ),
                ),
            ],
            options={
                "verbose_name": "隔离文件",
                "verbose_name_plural": "隔离文件",
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(install_triggers, drop_triggers),
    ]

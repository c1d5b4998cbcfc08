"""The office overrides move from the calculator app to their own (state only: the table
stays where it is; 0002 renames it)."""

import ansinh.rules.models
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("calculator", "0001_initial"),
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
        migrations.CreateModel(
            name='ParameterOverride',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(choices=ansinh.rules.models.parameter_choices, max_length=100, verbose_name='tham số')),
                ('start', models.DateField(verbose_name='áp dụng từ ngày')),
                ('value', models.TextField(help_text='Số (2530000, 0.0035 hoặc 0,35%), true/false, hoặc bảng JSON.', verbose_name='giá trị')),
                ('reference_document', models.CharField(max_length=200, verbose_name='văn bản')),
                ('reference_article', models.CharField(max_length=200, verbose_name='điều, khoản')),
                ('reference_link', models.URLField(blank=True, max_length=500, verbose_name='đường dẫn')),
                ('confidence', models.CharField(choices=[('confirmed', 'Đã xác nhận'), ('secondary', 'Nguồn thứ cấp'), ('assumed', 'Giả định')], default='confirmed', max_length=10, verbose_name='độ tin cậy')),
                ('note', models.CharField(blank=True, max_length=300, verbose_name='ghi chú')),
                ('active', models.BooleanField(default=True, verbose_name='đang áp dụng')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='lúc nhập')),
                ('deactivated_at', models.DateTimeField(blank=True, null=True, verbose_name='lúc ngừng')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người nhập')),
                ('deactivated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='người ngừng')),
                ('office', models.ForeignKey(blank=True, help_text='Để trống: áp dụng cho mọi cơ quan.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.office', verbose_name='cơ quan')),
            ],
            options={
                'verbose_name': 'giá trị tham số của cơ quan',
                'verbose_name_plural': 'giá trị tham số của cơ quan',
                'ordering': ['name', 'start', 'id'],
                'db_table': 'calculator_parameteroverride',
                'indexes': [models.Index(fields=['active', 'office'], name='calc_override_active_idx')],
            },
        ),
            ],
            database_operations=[],
        ),
    ]

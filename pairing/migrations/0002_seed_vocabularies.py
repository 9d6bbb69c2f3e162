"""Seed the service and industry vocabularies (editable afterwards in the admin).

A frozen copy of pairing.vocabulary.SERVICES / INDUSTRIES as they were when this migration
was written: migrations must not change when the app's code does."""

from django.db import migrations

SERVICES = [
    "信息咨询",
    "检索分析",
    "专利导航",
    "风险预警",
    "高价值专利挖掘",
    "知识产权体检",
    "培训",
    "商标品牌指导",
    "维权援助",
    "质押融资",
]
INDUSTRIES = ["生物医药", "新能源", "新材料", "盐湖化工", "农牧", "文化旅游", "装备制造", "信息技术"]


def seed(apps, schema_editor):
    for model_name, names in (("Service", SERVICES), ("Industry", INDUSTRIES)):
        model = apps.get_model("pairing", model_name)
        for ordinal, name in enumerate(names, start=1):
            model.objects.get_or_create(name=name, defaults={"ordinal": ordinal})


class Migration(migrations.Migration):
    dependencies = [("pairing", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

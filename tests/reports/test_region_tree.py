"""The report groups by the real region tree: a province's report has one row per prefecture
of that province, county (and deeper) units rolled up into their prefecture, and nothing
of another province; a national campaign has one row per province."""
import pytest

from campaigns.models import Region, Unit
from reports.collect import collect
from tests.factories import make_campaign, make_region, make_task, make_unit


@pytest.fixture
def tree(db):
    regions, units = {}, {}
    provinces = (("甲省", {"甲一市": ["甲一市东县", "甲一市西县"], "甲二州": ["甲二州南县"]}),
                 ("乙省", {"乙一市": ["乙一市北县"], "乙二市": [], "乙三州": ["乙三州中县"]}))
    for place, (province, prefectures) in enumerate(provinces, start=1):
        top = regions[province] = make_region(province, kind=Region.Kind.PROVINCE, ordinal=place)
        units[province] = make_unit(f"{province}知识产权局公共服务处", kind=Unit.Kind.PROVINCIAL_DIVISION, region=top)
        for ordinal, (prefecture, counties) in enumerate(prefectures.items(), start=1):
            regions[prefecture] = make_region(prefecture, parent=top, ordinal=ordinal)
            units[prefecture] = make_unit(f"{prefecture}市场监管局", region=regions[prefecture])
            for county in counties:
                regions[county] = make_region(county, parent=regions[prefecture])
                units[county] = make_unit(f"{county}市场监管局", region=regions[county])
    # A town under a county: two levels below its prefecture.
    regions["东县城关镇"] = make_region("东县城关镇", parent=regions["甲一市东县"])
    units["东县城关镇"] = make_unit("城关镇知识产权工作站", kind=Unit.Kind.OTHER, region=regions["东县城关镇"])
    return regions, units


def test_a_provinces_report_lists_its_own_prefectures_with_their_counties_rolled_up(tree):
    regions, units = tree
    jia = make_campaign(units["甲省"], code="jia")
    make_task(jia, units=[units["甲一市"], units["甲一市东县"], units["甲一市西县"], units["东县城关镇"]])
    make_task(jia, units=[units["甲二州南县"], units["甲省"]])
    make_task(jia, units=[units["甲二州"]])
    # The other province runs its own campaign with its own units at the same time.
    yi = make_campaign(units["乙省"], code="yi")
    make_task(yi, units=[units["乙一市"], units["乙一市北县"], units["乙三州中县"]])

    data = collect(jia)
    assert data.area_label == "市州"
    assert [(r.name, r.assignments_total) for r in data.prefectures] == [("甲一市", 4), ("甲二州", 2)]
    assert [r.name for r in data.provincial] == ["甲省知识产权局公共服务处"]
    names = {r.name for r in data.prefectures} | {r.name for r in data.provincial}
    assert not names & {"乙一市", "乙二市", "乙三州", "乙省", "其他地区"}
    assert not names & {"甲一市东县", "甲一市西县", "甲二州南县", "东县城关镇"}  # counties are not rows

    other = collect(yi)
    assert [(r.name, r.assignments_total) for r in other.prefectures] == [("乙一市", 2), ("乙二市", 0), ("乙三州", 1)]


def test_a_national_campaign_rolls_counties_up_to_their_province(tree):
    regions, units = tree
    national = make_campaign(make_unit("国家局公共服务司", kind=Unit.Kind.PROVINCIAL_DIVISION), code="nation")
    make_task(national, units=[units["甲一市东县"], units["东县城关镇"], units["乙三州中县"], units["乙二市"]])
    data = collect(national)
    assert data.area_label == "省份"
    assert [(r.name, r.assignments_total) for r in data.prefectures] == [("甲省", 2), ("乙省", 2)]


def test_on_the_national_directory_a_provinces_report_has_its_own_prefectures_only(db):
    """bench/national.py's directory: 31 provinces and 407 prefectures; 北京市 has 16."""
    from bench.national import generate_campaign, generate_directory

    directory = generate_directory()
    assert Region.objects.filter(kind=Region.Kind.PREFECTURE).count() == 407
    beijing = directory["北京市"]
    campaign = generate_campaign(beijing, 60)
    rows = collect(campaign).prefectures
    assert len(rows) == 16
    assert [r.name for r in rows] == [f"北京第{n}市州" for n in range(1, 17)]
    assert sum(r.assignments_total for r in rows) == campaign.tasks.filter(
        assignments__unit__kind=Unit.Kind.PREFECTURE_BUREAU).count()

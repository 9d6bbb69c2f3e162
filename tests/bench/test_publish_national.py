"""The publishing benchmark runs at tiny sizes, so it cannot rot between full runs."""
import pytest

from bench import publish_national


@pytest.mark.django_db(transaction=True)  # the announcements follow the commit
def test_publishing_a_larger_plan_tells_the_same_units_in_the_same_number_of_queries():
    results = publish_national.measure([5, 40])
    small, large = results[5], results[40]
    assert small["units"] > 0 and large["units"] >= small["units"]
    assert large["inbox"] >= large["units"]  # every unit told has at least one person told
    assert small["queries"] == large["queries"]

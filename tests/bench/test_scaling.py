"""The scaling benchmark runs at tiny sizes, so it cannot rot between full runs."""
import pytest

from bench import scaling


@pytest.mark.django_db
def test_the_scaling_benchmark_measures_every_page_at_each_size_with_flat_queries(settings):
    settings.ROOT_URLCONF = "bench.urls_bench"
    lines = []
    results, bare_ms = scaling.run([5, 15], requests=1, reports_per_task=2, out=lines.append)
    assert set(results) == {label for label, _, _ in scaling.PAGES}
    for label, figures in results.items():
        assert set(figures) == {5, 15}
        (_, queries_small, html_small), (_, queries_large, _) = figures[5], figures[15]
        assert queries_small == queries_large, label  # no page asks more of the database for more tasks
        assert html_small > 1000, label  # a real page, not an error
    assert bare_ms > 0
    assert any(line.startswith("generated 15 tasks, 30 reports") for line in lines)
    assert sum(1 for line in lines if line.endswith(("ok", "MISSED"))) == len(scaling.PAGES)

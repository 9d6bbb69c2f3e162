"""The survey results and exports benchmark runs at tiny sizes, so it cannot rot between full runs."""
import pytest

from bench import survey_scaling
from surveys.models import Response


@pytest.mark.django_db
def test_the_survey_benchmark_measures_the_results_page_and_the_export_jobs(settings):
    settings.ROOT_URLCONF = "bench.urls_bench"
    settings.EXPORT_QUEUE_ROWS = 10
    lines = []
    results, bare_ms, exports = survey_scaling.run([5, 20], requests=1, fresh_process=False, out=lines.append,
                                                   cold_requests=1)
    assert set(results) == {page[0] for page in survey_scaling.PAGES}
    for label, figures in results.items():
        (_, queries_small, html_small), (_, queries_large, _) = figures[5], figures[20]
        # No more queries for more responses: at most the median and text queries, skipped
        # when one unit's few responses hold no number or no text.
        assert queries_small <= queries_large <= queries_small + 2, label
        assert html_small > 1000, label
    assert bare_ms > 0
    for fmt in ("csv", "xlsx"):
        seconds, mb, job = exports[fmt]
        # the 20 generated, and those the stale-page measurement added
        submitted = Response.objects.submitted().filter(survey_id=job.arguments["survey_id"]).count()
        assert submitted >= 20 and job.message == f"导出完成：{submitted} 份答卷" and job.result_name.endswith(f".{fmt}")
        assert seconds > 0 and mb > 0
    assert any(line.startswith("generated 20 responses") for line in lines)
    assert sum(1 for line in lines if line.endswith(("ok", "MISSED"))) == len(survey_scaling.PAGES) + 2

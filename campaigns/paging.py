"""Pages of tasks whose rows are costly to load (progress over their assignments)."""
from django.core.paginator import Paginator


def page_loading(queryset, per_page, number, load):
    """The page `number` of the ordered `queryset`, `per_page` rows, whose rows are
    `load(ids_queryset)`: the count and the page's slice read keys alone, and only the page's
    rows get the heavy annotations. Without this a paginated page of a 5,000-task plan
    computed every task's progress to show fifty. `load` receives the model's rows of this
    page (filtered by key, unordered) and returns them annotated; the page keeps the order
    of `queryset`."""
    page = Paginator(queryset.only("pk"), per_page).get_page(number)
    ids = [row.pk for row in page.object_list]
    loaded = {row.pk: row for row in load(queryset.model._default_manager.filter(pk__in=ids))}
    page.object_list = [loaded[pk] for pk in ids if pk in loaded]
    return page

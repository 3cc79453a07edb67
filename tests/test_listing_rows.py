"""Lists that name their fields (Listing.only) build their page from values(): each row must
render exactly as it would from the model instance."""

from django.urls import get_resolver

from anju.core.listing import ListingView, row_html


def _listing_views() -> list[type[ListingView]]:
    assert get_resolver().url_patterns  # imports every app's views
    found, todo = [], [ListingView]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not ListingView and getattr(cls, "listing", None) is not None:
            found.append(cls)
    return found


def test_some_listings_read_values():
    assert {"UnitListView", "EstateListView"} <= {
        v.__name__ for v in _listing_views() if v.listing.only
    }


def test_value_rows_render_like_model_rows(world):
    actor = world.people.district_admin
    # A unit without a building, a null next to the values.
    world.units_a[0].building = None
    world.units_a[0].save()
    for view in _listing_views():
        listing = view.listing
        if not listing.only:
            continue
        qs = listing.queryset(actor, {})
        models = list(qs)
        page = listing.page(qs, 1)
        assert page.rows, view.__name__
        assert [r.pk for r in page.rows] == [m.pk for m in models[: len(page.rows)]]
        for value_row, model in zip(page.rows, models, strict=False):
            url = listing.detail_url
            assert row_html(listing.columns, value_row, url(value_row) if url else "") == (
                row_html(listing.columns, model, url(model) if url else "")
            ), view.__name__

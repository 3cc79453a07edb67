"""The body of a list page (title bar, filter bar, results), built in Python.

These were the template core/list.html; every list renders them on every request, and as
template tags they cost more than the rows. The markup is the template's, byte for byte:
anju/core/tests/test_list_html.py renders the template (kept in tests/templates) beside
this code for many lists, filters and pages.
"""

from django.utils.html import conditional_escape as esc
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext


def body_html(c: dict) -> SafeString:
    """What list.html's content block rendered, from the view's context."""
    listing = c["listing"]
    links = "".join(
        f'<a class="btn btn-outline-primary" href="{esc(url)}" data-testid="{esc(testid)}">'
        f"{esc(label)}</a>"
        for label, url, testid in c["extra_links"]
    )
    create = (
        f'<a class="btn btn-primary" href="{esc(c["create_url"])}" data-testid="create">'
        f"{esc(gettext('New'))}</a>"
        if c["can_create"]
        else ""
    )
    filters = []
    for f, options, current in c["filters"]:
        if f.hidden:
            hidden = (
                f'<input type="hidden" name="{esc(f.param)}" value="{esc(current)}">'
                if current
                else ""
            )
            filters.append(f"\n        {hidden}\n        \n      ")
        else:
            filters.append(
                f"""
        
        <div class="col-6 col-md-2">
          <select class="form-select" name="{esc(f.param)}" aria-label="{esc(f.label)}">
            <option value="">{esc(f.label)}：{esc(gettext("all"))}</option>
            {options}
          </select>
        </div>
        
      """  # noqa: W293
            )
    placeholder = esc(listing.search_help or gettext("Search"))
    return mark_safe(  # noqa: S308 - every part escaped above
        f"""
<div class="page-header mb-3">
  <div class="row align-items-center">
    <div class="col"><h2 class="page-title">{esc(listing.title)}</h2></div>
    <div class="col-auto d-flex gap-2">
      {links}
      {create}
    </div>
  </div>
</div>
<div class="card">
  <div class="card-body border-bottom py-3">
    <form class="row g-2" hx-get="" hx-target="#results" hx-push-url="true" hx-trigger="submit, change, input changed delay:400ms from:input[name=q]" hx-include="#list-sort" data-testid="filters">
      <div class="col-12 col-md-4">
        <input type="search" class="form-control" name="q" value="{esc(c["q"])}" placeholder="{placeholder}" aria-label="{esc(gettext("Search"))}">
      </div>
      {"".join(filters)}
      <div class="col-auto"><button class="btn btn-primary" type="submit">{esc(gettext("Search"))}</button></div>
    </form>
  </div>
  <div id="results">
  {results_html(c)}
  </div>
</div>
"""  # noqa: E501
    )


def results_html(c: dict) -> SafeString:
    """What the results partial rendered: the table, the count, the pages."""
    page = c["page"]
    active = ""
    if c["active_filters"]:
        badges = "".join(
            f'<span class="badge bg-blue-lt fs-5">{esc(label)}：{esc(value)} '
            f'<a href="?{esc(clear_url)}" class="ms-1 text-reset" '
            f'aria-label="{esc(gettext("Clear filter"))}">✕</a></span>'
            for label, value, clear_url in c["active_filters"]
        )
        active = f"""
    <div class="px-3 pt-3 d-flex flex-wrap gap-2" data-testid="active-filters">
      {badges}
    </div>
    """
    if c["table"]:
        rows = "".join(f"\n          {row['html']}\n        " for row in c["table"])
    else:
        columns = len(c["listing"].columns)
        rows = (
            f'\n          <tr><td colspan="{columns}" class="text-center text-secondary py-4">'
            f"{esc(gettext('Nothing found.'))}</td></tr>\n        "
        )
    query = esc(c["query"])
    showing = gettext("Showing %(start)s–%(end)s of %(total)s") % {
        "start": page.start,
        "end": page.end,
        "total": c["total"],
    }
    export = (
        f'<a class="btn btn-sm btn-outline-secondary ms-3" data-testid="export" '
        f'href="?{query}{"&amp;" if c["query"] else ""}export=xlsx">'
        f"{esc(gettext('Export to Excel'))}</a>"
        if c["can_export"]
        else ""
    )
    previous = (
        f'<li class="page-item"><a class="page-link" hx-get="?{query}&page={page.number - 1}" '
        f'hx-target="#results" hx-push-url="true" href="?{query}&page={page.number - 1}">'
        f"{esc(gettext('Previous'))}</a></li>"
        if page.has_previous
        else ""
    )
    following = (
        f'<li class="page-item"><a class="page-link" data-testid="next-page" '
        f'hx-get="?{query}&page={page.number + 1}" hx-target="#results" hx-push-url="true" '
        f'href="?{query}&page={page.number + 1}">{esc(gettext("Next"))}</a></li>'
        if page.has_next
        else ""
    )
    return mark_safe(  # noqa: S308 - every part escaped above
        f"""
    
    <input type="hidden" id="list-sort" name="sort" value="{esc(c["sort"])}">
    {active}
    <div class="table-responsive">
      <table class="table card-table table-vcenter table-striped" data-testid="results">
        <thead><tr>{c["header"]}</tr></thead>
        <tbody>
        {rows}
        </tbody>
      </table>
    </div>
    <div class="card-footer d-flex align-items-center">
      <p class="m-0 text-secondary" data-testid="count">
        {showing}
      </p>
      {export}
      <ul class="pagination m-0 ms-auto">
        {previous}
        <li class="page-item active"><span class="page-link">{page.number}</span></li>
        {following}
      </ul>
    </div>
  """  # noqa: W293
    )

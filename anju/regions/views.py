from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.estates.permissions import estate_policy
from anju.regions.models import Region
from anju.regions.permissions import department_policy, grid_policy, region_policy


class RegionListView(ListingView):
    listing = Listing(
        policy=region_policy,
        title=_("Regions"),
        columns=[
            Column("code", _("division code"), lambda r: r.code, sort="code"),
            Column("name", _("name"), lambda r: r.name, sort="name", link=True),
            Column("level", _("level"), choice_label(Region, "level"), sort="level"),
            Column("parent", _("parent"), lambda r: r.parent.name if r.parent else ""),
        ],
        search_fields=["name__icontains", "code__startswith"],
        search_help=_("Name or division code"),
        filters=[Filter("level", _("level"), "level", choices=Region.Level.choices)],
        default_sort="code",
        select_related=["parent"],
        export_name="regions",
        detail_url=detail_link("regions:detail"),
    )


def region_detail(request, pk):
    actor = request.user
    region = region_policy.get(actor, pk)
    prefix = region.prefix
    children = (
        region_policy.visible(actor)
        .filter(parent=region)
        .annotate(estate_count=Count("estates", distinct=True))
    )
    estates = estate_policy.visible(actor).filter(region_code__codeprefix=prefix)
    summary = estates.aggregate(
        estates=Count("id"),
        professional=Count("id", filter=Q(management_mode="professional")),
        red=Count("id", filter=Q(red_property=True)),
    )
    context = {
        "region": region,
        "children": children,
        "summary": summary,
        "departments": department_policy.visible(actor).filter(district=region),
        "grids": grid_policy.visible(actor).filter(community=region),
    }
    return render(request, "regions/region_detail.html", context)

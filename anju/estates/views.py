from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anju.accounts.roles import Action
from anju.accounts.scope import estate_filter_key, scope_of
from anju.companies.permissions import contract_policy
from anju.core import sql_template
from anju.core.errors import DomainError
from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.core.pii import mask
from anju.core.views import form_page
from anju.estates import services
from anju.estates.forms import (
    BuildingForm,
    CompoundForm,
    EstateForm,
    NewOwnerForm,
    OwnerForm,
    ResidentForm,
    UnitForm,
)
from anju.estates.models import Estate, Owner, Unit
from anju.estates.permissions import (
    building_policy,
    estate_policy,
    owner_policy,
    ownership_policy,
    resident_policy,
    unit_policy,
)
from anju.regions.permissions import community_choices, street_choices


class EstateListView(ListingView):
    listing = Listing(
        policy=estate_policy,
        title=_("Estates"),
        columns=[
            Column("name", _("estate name"), lambda e: e.name, sort="name", link=True),
            Column("community", _("community"), lambda e: e.region.name, sort="region_code"),
            Column("kind", _("estate type"), choice_label(Estate, "kind"), sort="kind"),
            Column(
                "mode",
                _("management mode"),
                choice_label(Estate, "management_mode"),
                sort="management_mode",
            ),
            Column(
                "households", _("households"), lambda e: e.total_households, sort="total_households"
            ),
            Column(
                "area",
                _("total floor area (m²)"),
                lambda e: e.total_floor_area,
                sort="total_floor_area",
            ),
            Column("built", _("year built"), lambda e: e.built_year, sort="built_year"),
            Column("red", _("red property"), lambda e: e.red_property, sort="red_property"),
            Column("address", _("address"), lambda e: e.address),
        ],
        search_fields=["name__icontains", "address__icontains"],
        search_help=_("Estate name or address"),
        filters=[
            Filter("street", _("Street"), "region_code__codeprefix", choices=street_choices),
            Filter("community", _("Community"), "region_code", choices=community_choices),
            Filter("kind", _("estate type"), "kind", choices=Estate.Kind.choices),
            Filter(
                "mode",
                _("management mode"),
                "management_mode",
                choices=Estate.ManagementMode.choices,
            ),
        ],
        default_sort="",
        select_related=["region"],
        only=[
            "name",
            "region_code",
            "region",
            "region__name",
            "kind",
            "management_mode",
            "total_households",
            "total_floor_area",
            "built_year",
            "red_property",
            "address",
        ],
        export_name="estates",
        compiled=True,
        detail_url=detail_link("estates:detail"),
        create_url="estates:create",
        create_action=Action.REGISTRY_CHANGE,
    )


def estate_detail(request, pk):
    actor = request.user
    estate = estate_policy.get(
        actor, pk, qs=Estate.objects.select_related("region__parent", "grid")
    )
    buildings = building_policy.visible(actor).filter(estate=estate).order_by("number")
    scope = scope_of(actor)
    units = unit_policy.visible(actor).filter(estate=estate)
    contracts = (
        contract_policy.visible(actor).filter(estate=estate).select_related("company")
        if scope.allows(Action.CONTRACTS_VIEW)
        else []
    )
    context = {
        "estate": estate,
        "buildings": buildings,
        "unit_count": units.count(),
        "contracts": contracts,
        "compounds": estate.compounds.all(),
        "can_change": estate_policy.can(actor, Action.REGISTRY_CHANGE, estate),
    }
    return render(request, "estates/estate_detail.html", context)


def estate_create(request):
    actor = request.user
    if not scope_of(actor).allows(Action.REGISTRY_CHANGE):
        raise PermissionDenied
    form = EstateForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form=form,
        title=_("New estate"),
        cancel_url=reverse("estates:list"),
        save=lambda data: services.estate_create(actor=actor, data=data),
        success_url=None,
    )


def estate_edit(request, pk):
    actor = request.user
    estate = estate_policy.get(actor, pk, Action.REGISTRY_CHANGE)
    form = EstateForm(request.POST or None, instance=estate, actor=actor)
    if request.method == "POST":
        # ModelForm.is_valid() writes cleaned values onto the instance; the service diffs
        # against a fresh copy so the audit log records what changed.
        estate = Estate.objects.get(pk=pk)
    return form_page(
        request,
        form=form,
        title=_("Edit estate"),
        cancel_url=estate.get_absolute_url(),
        save=lambda data: services.estate_update(actor=actor, estate=estate, data=data),
    )


def building_create(request, pk):
    actor = request.user
    estate = estate_policy.get(actor, pk, Action.REGISTRY_CHANGE)
    form = BuildingForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("New building"),
        cancel_url=estate.get_absolute_url(),
        save=lambda data: services.building_create(actor=actor, estate=estate, data=data),
        success_url=estate.get_absolute_url(),
    )


def compound_create(request, pk):
    actor = request.user
    estate = estate_policy.get(actor, pk, Action.REGISTRY_CHANGE)
    form = CompoundForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Add grouped compound"),
        cancel_url=estate.get_absolute_url(),
        save=lambda data: services.compound_create(actor=actor, estate=estate, data=data),
        success_url=estate.get_absolute_url(),
    )


def _describe(policy, attribute):
    """Name the object a hidden id filter points at, if the actor may see it."""

    def describe(actor, raw):
        try:
            obj = policy.visible(actor).filter(pk=int(raw)).first()
        except ValueError:
            obj = None
        return getattr(obj, attribute) if obj is not None else raw

    return describe


def _unit_filters():
    return [
        Filter(
            "estate",
            _("estate"),
            "estate_id",
            transform=int,
            hidden=True,
            describe=_describe(estate_policy, "name"),
        ),
        Filter(
            "building",
            _("building"),
            "building_id",
            transform=int,
            hidden=True,
            describe=_describe(building_policy, "number"),
        ),
        Filter("kind", _("unit kind"), "kind", choices=Unit.Kind.choices),
        Filter("delivery", _("delivery status"), "delivery", choices=Unit.Delivery.choices),
        Filter(
            "street",
            _("Street"),
            "estate_id__in",
            choices=street_choices,
            transform=_estates_of_street,
            before_scope=True,
        ),
    ]


def _estates_of_street(code: str):
    """A street's estates as a subquery on the unit's estate: the units' index then returns
    the first page in order, where a join to the estates sorted every unit of the street
    (SQLite: 3.6 ms → 0.1–2.8 ms a page, the street's place in the district deciding)."""
    return Estate.objects.filter(region_code__codeprefix=code).values("pk")


def _estates_named(actor, q: str) -> tuple[int, ...]:
    """The estates in the actor's scope whose name contains q (at most 500), for the unit
    search: read through the scope's index rather than over every estate of a city."""
    scope = scope_of(actor)
    key = ("estates-named", estate_filter_key(scope, estate_policy.view_action))
    rows = sql_template.rows(
        (*key, timezone.localdate()),
        lambda text: (
            estate_policy.visible(actor)
            .filter(name__icontains=text)
            .order_by("pk")
            .values("pk")[:500]
        ),
        text=q,
    )
    return tuple(row["pk"] for row in rows)


def _unit_search(q: str, estates: tuple[int, ...]) -> Q:
    """Match a room number by its start, or units of the estates whose name contains q.

    An icontains over every unit in scope scans millions of rows at city scale; a room number
    prefix and a lookup of the (few thousand) estates by name use indexes instead.
    """
    # Resolved to a list first (_estates_named): a subquery inside the OR would stop
    # PostgreSQL from combining the two index scans and make it scan every unit.
    condition = number_prefix(q)
    return condition | Q(estate_id__in=estates) if estates else condition


def number_prefix(q: str) -> Q:
    """Room numbers starting with q (or with q in upper or lower case), as ranges of the
    number index: SQLite's LIKE cannot use an index, and PostgreSQL's only under the C
    collation."""
    condition = Q()
    for prefix in sorted({q, q.upper(), q.lower()}):
        condition |= Q(number__textprefix=prefix)
    return condition


class UnitListView(ListingView):
    listing = Listing(
        policy=unit_policy,
        title=_("Units"),
        columns=[
            Column("estate", _("estate"), lambda u: u.estate.name, sort="estate__name"),
            Column(
                "building",
                _("building"),
                lambda u: u.building.number if u.building else "",
                sort="building__number",
            ),
            Column("entrance", _("entrance"), lambda u: u.entrance),
            Column("number", _("room number"), lambda u: u.number, sort="number", link=True),
            Column("floor", _("floor"), lambda u: u.floor, sort="floor"),
            Column("kind", _("unit kind"), choice_label(Unit, "kind"), sort="kind"),
            Column("area", _("floor area (m²)"), lambda u: u.area, sort="area"),
            Column("source", _("area source"), choice_label(Unit, "area_source")),
            Column(
                "delivery",
                _("delivery status"),
                choice_label(Unit, "delivery"),
                sort="delivery",
            ),
        ],
        search=_unit_search,
        search_data=_estates_named,
        search_help=_("Room number or estate name"),
        filters=_unit_filters(),
        select_related=["estate", "building"],
        only=[
            "estate",
            "estate__name",
            "building",
            "building__number",
            "entrance",
            "number",
            "floor",
            "kind",
            "area",
            "area_source",
            "delivery",
        ],
        export_name="units",
        compiled=True,
        detail_url=detail_link("estates:unit_detail"),
    )


def unit_detail(request, pk):
    actor = request.user
    unit = unit_policy.get(actor, pk, qs=Unit.objects.select_related("estate", "building"))
    ownerships = ownership_policy.visible(actor).filter(unit=unit).select_related("owner")
    residents = resident_policy.visible(actor).filter(unit=unit)
    context = {
        "unit": unit,
        "ownerships": ownerships,
        "residents": residents,
        "can_change": unit_policy.can(actor, Action.REGISTRY_CHANGE, unit),
        "can_change_owners": unit_policy.can(actor, Action.OWNERS_CHANGE, unit),
    }
    return render(request, "estates/unit_detail.html", context)


def unit_create(request, pk):
    actor = request.user
    estate = estate_policy.get(actor, pk, Action.REGISTRY_CHANGE)
    form = UnitForm(request.POST or None, estate=estate)
    return form_page(
        request,
        form=form,
        title=_("New unit"),
        cancel_url=estate.get_absolute_url(),
        save=lambda data: services.unit_create(actor=actor, estate=estate, data=data),
    )


def unit_edit(request, pk):
    actor = request.user
    unit = unit_policy.get(actor, pk, Action.REGISTRY_CHANGE)
    form = UnitForm(request.POST or None, instance=unit, estate=unit.estate)
    if request.method == "POST":
        unit = Unit.objects.get(pk=pk)
    return form_page(
        request,
        form=form,
        title=_("Edit unit"),
        cancel_url=unit.get_absolute_url(),
        save=lambda data: services.unit_update(actor=actor, unit=unit, data=data),
    )


def owner_create(request, pk):
    actor = request.user
    unit = unit_policy.get(actor, pk, Action.OWNERS_CHANGE)
    form = NewOwnerForm(request.POST or None)

    def save(data):
        share = data.pop("share")
        is_representative = data.pop("is_representative")
        existing = services.owner_find_by_id_number(data.get("id_number", ""))
        if existing is not None:
            services.ownership_add(
                actor=actor,
                unit=unit,
                owner=existing,
                share=share,
                is_representative=is_representative,
            )
            return existing
        return services.owner_create(
            actor=actor, unit=unit, data=data, share=share, is_representative=is_representative
        )

    return form_page(
        request,
        form=form,
        title=_("Add owner"),
        cancel_url=unit.get_absolute_url(),
        save=save,
        success_url=unit.get_absolute_url(),
    )


def resident_create(request, pk):
    actor = request.user
    unit = unit_policy.get(actor, pk, Action.OWNERS_CHANGE)
    form = ResidentForm(request.POST or None)
    return form_page(
        request,
        form=form,
        title=_("Add resident"),
        cancel_url=unit.get_absolute_url(),
        save=lambda data: services.resident_create(actor=actor, unit=unit, data=data),
        success_url=unit.get_absolute_url(),
    )


@require_POST
def ownership_representative(request, pk):
    actor = request.user
    ownership = ownership_policy.get(actor, pk, Action.OWNERS_CHANGE)
    services.ownership_set_representative(actor=actor, ownership=ownership)
    messages.success(request, _("Voting representative changed."))
    return redirect(ownership.unit.get_absolute_url())


@require_POST
def ownership_remove(request, pk):
    actor = request.user
    ownership = ownership_policy.get(actor, pk, Action.OWNERS_CHANGE)
    unit = ownership.unit
    try:
        services.ownership_remove(actor=actor, ownership=ownership)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Owner removed from the unit."))
    return redirect(unit.get_absolute_url())


class OwnerListView(ListingView):
    listing = Listing(
        policy=owner_policy,
        title=_("Owners"),
        columns=[
            Column("name", _("name"), lambda o: o.name, sort="name", link=True),
            Column("kind", _("owner type"), choice_label(Owner, "kind"), sort="kind"),
            Column("id_number", _("ID number"), lambda o: mask(o.id_number)),
            Column("phone", _("phone"), lambda o: mask(o.phone)),
            Column("developer", _("developer"), lambda o: o.is_developer, sort="is_developer"),
        ],
        search_fields=["name__icontains"],
        search_help=_("Owner name"),
        filters=[
            Filter("kind", _("owner type"), "kind", choices=Owner.Kind.choices),
            Filter(
                "developer",
                _("developer"),
                "is_developer",
                choices=[("1", _("Yes")), ("0", _("No"))],
                transform=lambda v: v == "1",
            ),
            Filter(
                "estate",
                _("estate"),
                "ownerships__unit__estate_id",
                transform=int,
                hidden=True,
                describe=_describe(estate_policy, "name"),
            ),
        ],
        export_name="owners",
        detail_url=detail_link("estates:owner_detail"),
    )


def owner_detail(request, pk):
    actor = request.user
    owner = owner_policy.get(actor, pk)
    ownerships = (
        ownership_policy.visible(actor)
        .filter(owner=owner)
        .select_related("unit__estate", "unit__building")
    )
    context = {
        "owner": owner,
        "ownerships": ownerships,
        "can_change": owner_policy.can(actor, Action.OWNERS_CHANGE, owner),
    }
    return render(request, "estates/owner_detail.html", context)


def owner_edit(request, pk):
    actor = request.user
    owner = owner_policy.get(actor, pk, Action.OWNERS_CHANGE)
    form = OwnerForm(request.POST or None, instance=owner)
    if request.method == "POST":
        owner = Owner.objects.get(pk=pk)
    return form_page(
        request,
        form=form,
        title=_("Edit owner"),
        cancel_url=owner.get_absolute_url(),
        save=lambda data: services.owner_update(actor=actor, owner=owner, data=data),
    )

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anju.accounts.roles import Action
from anju.accounts.scope import scope_of
from anju.companies import services
from anju.companies.forms import CompanyForm, ContractForm
from anju.companies.models import PropertyCompany, ServiceContract
from anju.companies.permissions import company_policy, contract_policy, project_manager_policy
from anju.core.listing import Column, Filter, Listing, ListingView, choice_label, detail_link
from anju.core.views import form_page


class CompanyListView(ListingView):
    listing = Listing(
        policy=company_policy,
        title=_("Property companies"),
        columns=[
            Column("name", _("company name"), lambda c: c.name, sort="name", link=True),
            Column("uscc", _("unified social credit code"), lambda c: c.uscc, sort="uscc"),
            Column("district", _("registered district"), lambda c: c.region.name),
            Column("contact", _("contact person"), lambda c: c.contact_name),
            Column(
                "party",
                _("has party organisation"),
                lambda c: c.has_party_org,
                sort="has_party_org",
            ),
            Column("address", _("registered address"), lambda c: c.registered_address),
        ],
        search_fields=["name__icontains", "uscc__icontains"],
        search_help=_("Company name or credit code"),
        filters=[
            Filter(
                "party",
                _("has party organisation"),
                "has_party_org",
                choices=[("1", _("Yes")), ("0", _("No"))],
                transform=lambda v: v == "1",
            ),
        ],
        select_related=["region"],
        export_name="companies",
        detail_url=detail_link("companies:detail"),
        create_url="companies:create",
        create_action=Action.COMPANIES_CHANGE,
    )


def company_detail(request, pk):
    actor = request.user
    company = company_policy.get(actor, pk)
    scope = scope_of(actor)
    contracts = (
        contract_policy.visible(actor).filter(company=company).select_related("estate")
        if scope.allows(Action.CONTRACTS_VIEW)
        else []
    )
    managers = (
        project_manager_policy.visible(actor).filter(company=company).select_related("estate")
    )
    return render(
        request,
        "companies/company_detail.html",
        {
            "company": company,
            "contracts": contracts,
            "managers": managers,
            "can_change": company_policy.can(actor, Action.COMPANIES_CHANGE, company),
        },
    )


def company_create(request):
    actor = request.user
    if not scope_of(actor).allows(Action.COMPANIES_CHANGE):
        raise PermissionDenied
    form = CompanyForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form=form,
        title=_("New property company"),
        cancel_url=reverse("companies:list"),
        save=lambda data: services.company_create(actor=actor, data=data),
    )


def company_edit(request, pk):
    actor = request.user
    company = company_policy.get(actor, pk, Action.COMPANIES_CHANGE)
    form = CompanyForm(request.POST or None, instance=company, actor=actor)
    if request.method == "POST":
        company = PropertyCompany.objects.get(pk=pk)
    return form_page(
        request,
        form=form,
        title=_("Edit property company"),
        cancel_url=company.get_absolute_url(),
        save=lambda data: services.company_update(actor=actor, company=company, data=data),
    )


class ContractListView(ListingView):
    listing = Listing(
        policy=contract_policy,
        title=_("Service contracts"),
        columns=[
            Column("estate", _("estate"), lambda c: c.estate.name, sort="estate__name", link=True),
            Column("company", _("company"), lambda c: c.company.name, sort="company__name"),
            Column("kind", _("contract type"), choice_label(ServiceContract, "kind"), sort="kind"),
            Column("start", _("start date"), lambda c: c.start_date, sort="start_date"),
            Column("end", _("end date"), lambda c: c.end_date, sort="end_date"),
            Column("fee", _("fee (yuan/m²/month)"), lambda c: c.fee_standard, sort="fee_standard"),
            Column(
                "level",
                _("service level"),
                choice_label(ServiceContract, "service_level"),
                sort="service_level",
            ),
            Column(
                "filing",
                _("filing status"),
                choice_label(ServiceContract, "filing_status"),
                sort="filing_status",
            ),
        ],
        search_fields=["estate__name__icontains", "company__name__icontains"],
        search_help=_("Estate or company name"),
        filters=[
            Filter("kind", _("contract type"), "kind", choices=ServiceContract.Kind.choices),
            Filter(
                "filing",
                _("filing status"),
                "filing_status",
                choices=ServiceContract.Filing.choices,
            ),
            Filter("company", _("company"), "company_id", transform=int, hidden=True),
        ],
        select_related=["estate", "company"],
        default_sort="-start",
        export_name="contracts",
        detail_url=detail_link("companies:contract_edit"),
        create_url="companies:contract_create",
        create_action=Action.CONTRACTS_CHANGE,
    )


def contract_create(request):
    actor = request.user
    if not scope_of(actor).allows(Action.CONTRACTS_CHANGE):
        raise PermissionDenied
    form = ContractForm(request.POST or None, actor=actor)
    return form_page(
        request,
        form=form,
        title=_("New service contract"),
        cancel_url=reverse("companies:contract_list"),
        save=lambda data: services.contract_create(actor=actor, data=data),
        success_url=reverse("companies:contract_list"),
    )


def contract_edit(request, pk):
    """The contract page: its form for roles that may change it, read-only otherwise."""
    actor = request.user
    contract = contract_policy.get(actor, pk)
    if not contract_policy.can(actor, Action.CONTRACTS_CHANGE, contract):
        if request.method == "POST":
            raise PermissionDenied
        return render(request, "companies/contract_detail.html", {"contract": contract})
    form = ContractForm(request.POST or None, instance=contract, actor=actor)
    if request.method == "POST":
        contract = ServiceContract.objects.get(pk=pk)
    return form_page(
        request,
        form=form,
        title=_("Service contract"),
        cancel_url=reverse("companies:contract_list"),
        save=lambda data: services.contract_update(actor=actor, contract=contract, data=data),
        success_url=reverse("companies:contract_list"),
    )

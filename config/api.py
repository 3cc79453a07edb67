from ninja import NinjaAPI

from anju.core.api import AUTH, install_error_handlers

api = NinjaAPI(
    title="Anju API",
    version="1",
    description="安居 property-management platform: registry, companies, scope-filtered.",
    auth=AUTH,
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
install_error_handlers(api)

from anju.companies.api import router as companies_router  # noqa: E402
from anju.core.audit_api import router as audit_router  # noqa: E402
from anju.core.import_api import router as import_router  # noqa: E402
from anju.estates.api import router as estates_router  # noqa: E402
from anju.regions.api import router as regions_router  # noqa: E402
from anju.voting.api import router as votes_router  # noqa: E402
from anju.workorders.api import router as orders_router  # noqa: E402

api.add_router("/v1/regions", regions_router)
api.add_router("/v1", estates_router)
api.add_router("/v1", companies_router)
api.add_router("/v1/audit", audit_router)
api.add_router("/v1", import_router)
api.add_router("/v1", orders_router)
api.add_router("/v1", votes_router)

from django.contrib.auth.middleware import LoginRequiredMiddleware

PUBLIC_PREFIXES = ("/api/", "/static/", "/i18n/", "/favicon.ico")


class LoginRequired(LoginRequiredMiddleware):
    """Every page needs a login, except the API (its own auth), static files and i18n."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PUBLIC_PREFIXES):
            return None
        response = super().process_view(request, view_func, view_args, view_kwargs)
        if response is None and request.user.is_authenticated:
            # Where the user's scope is kept between page requests (accounts.scope).
            request.user._anju_session = request.session
        return response


class SecurityHeadersMiddleware:
    """Send a Content-Security-Policy that allows only this site's own scripts and styles."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self' 'unsafe-inline' 'unsafe-eval'; connect-src 'self'; "
        "font-src 'self' data:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

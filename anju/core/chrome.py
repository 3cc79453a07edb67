"""The site chrome around every page (assets, sidebar, top bar, messages), built in Python.

Every page renders it, and as template tags it cost more than many pages' own content. The
markup is what base.html's template had; anju/core/tests/test_chrome.py renders that
template beside this code and compares them byte for byte.
"""

import html

from django.conf import settings
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import get_script_prefix
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from anju.accounts.roles import Role

ASSETS = (
    '  <link rel="icon" href="{favicon.svg}" type="image/svg+xml">\n'
    '  <link rel="stylesheet" href="{vendor/tabler/tabler.min.css}">\n'
    '  <link rel="stylesheet" href="{anju.css}">\n'
    '  <script src="{vendor/htmx/htmx.min.js}" defer></script>\n'
    '  <script src="{vendor/tabler/tabler.min.js}" defer></script>'
)
_ASSETS: dict[tuple, str] = {}
_ROLE_LABELS: dict[str | None, dict[str, str]] = {}


def assets_html() -> SafeString:
    """The favicon, stylesheets and scripts of every page: static() once per prefix."""
    key = (get_script_prefix(), settings.STATIC_URL)
    text = _ASSETS.get(key)
    if text is None:
        text = ASSETS
        for name in ("favicon.svg", "vendor/tabler/tabler.min.css", "anju.css",
                     "vendor/htmx/htmx.min.js", "vendor/tabler/tabler.min.js"):  # fmt: skip
            text = text.replace("{" + name + "}", html.escape(static(name)))
        _ASSETS[key] = text
    return mark_safe(text)  # noqa: S308 - static URLs escaped above


def role_label(role: str) -> str:
    """A role's label in the current language (what the role_label filter shows)."""
    language = get_language()
    labels = _ROLE_LABELS.get(language)
    if labels is None:
        labels = _ROLE_LABELS[language] = {r.value: str(r.label) for r in Role}
    return labels.get(role, role)


def _csrf_input(token: str) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{html.escape(token)}">'


def top_html(request, *, nav_html: str, roles, messages) -> SafeString:
    """From the sidebar to the opening of the content block: as base.html rendered it."""
    from anju.core.context_processors import _url

    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    parts = []
    if authenticated:
        token = _csrf_input(get_token(request))  # one token for both forms, as in a template
        language = get_language()
        options = "".join(
            f'<option value="{html.escape(code)}"{" selected" if code == language else ""}>'
            f"{'English' if code == 'en' else '简体中文'}</option>"
            for code, _name in settings.LANGUAGES
        )
        role_text = "、".join(conditional_escape(role_label(r)) for r in roles)
        parts.append(
            f"""
  <aside class="navbar navbar-vertical navbar-expand-lg" data-bs-theme="dark">
    <div class="container-fluid">
      <button class="navbar-toggler" type="button" data-bs-toggle="collapse" data-bs-target="#sidebar-menu" aria-label="{conditional_escape(gettext("Menu"))}">
        <span class="navbar-toggler-icon"></span>
      </button>
      <h1 class="navbar-brand navbar-brand-autodark"><a href="{html.escape(_url("core:home"))}" class="text-white text-decoration-none">安居 <small class="text-secondary fw-normal">Anju</small></a></h1>
      <div class="collapse navbar-collapse" id="sidebar-menu">
        <ul class="navbar-nav pt-lg-3">
          {nav_html}
        </ul>
      </div>
    </div>
  </aside>
  """  # noqa: E501
        )
    parts.append('\n  <div class="page-wrapper">\n    ')
    if authenticated:
        parts.append(
            f"""
    <header class="navbar navbar-expand-md d-print-none">
      <div class="container-xl justify-content-end gap-3">
        <form method="post" action="{html.escape(_url("set_language"))}" class="d-flex align-items-center gap-1">
          {token}
          <input type="hidden" name="next" value="{html.escape(request.get_full_path())}">
          <select name="language" class="form-select form-select-sm" onchange="this.form.submit()" aria-label="{conditional_escape(gettext("Language"))}">
            
            {options}
          </select>
        </form>
        <span class="text-secondary" data-testid="current-user">{conditional_escape(str(user))} · {role_text}</span>
        <form method="post" action="{html.escape(_url("accounts:logout"))}">{token}<button class="btn btn-sm btn-outline-secondary">{conditional_escape(gettext("Log out"))}</button></form>
      </div>
    </header>
    """  # noqa: E501, W293
        )
    parts.append('\n    <div class="page-body">\n      <div class="container-xl">\n        ')
    for message in messages:
        tags = message.tags
        css = "danger" if tags == "error" else conditional_escape(tags or "info")
        parts.append(
            f'\n        <div class="alert alert-{css}" role="alert">'
            f"{conditional_escape(message)}</div>\n        "
        )
    parts.append("\n        ")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped above


class Chrome:
    """What base.html shows around a page's blocks, computed only when the page shows it (a
    partial refreshed by HTMX never does)."""

    def __init__(self, request, navigation):
        self.request = request
        self._navigation = navigation  # () -> (nav_html, roles), only for logged-in users

    @cached_property
    def language(self) -> str:
        return get_language()

    @property
    def assets(self) -> SafeString:
        return assets_html()

    @cached_property
    def top(self) -> SafeString:
        from django.contrib.messages import get_messages

        user = getattr(self.request, "user", None)
        nav, roles = ("", ()) if user is None or not user.is_authenticated else self._navigation()
        return top_html(
            self.request, nav_html=nav, roles=roles, messages=get_messages(self.request)
        )

    def __bool__(self) -> bool:
        return True

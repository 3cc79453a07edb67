from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from anju.accounts.roles import Action, Role
from anju.accounts.scope import scope_of
from anju.core.pii import mask, revealable_kind

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value


@register.filter(name="mask")
def mask_filter(value: str) -> str:
    return mask(value or "")


@register.simple_tag(takes_context=True)
def pii(context, obj, field: str):
    """Show a personal-information field masked, with a reveal button for roles that may see it."""
    value = getattr(obj, field) or ""
    if not value:
        return ""
    masked = mask(value)
    request = context.get("request")
    if request is None or not scope_of(request.user).allows(Action.PII_REVEAL):
        return masked
    kind = revealable_kind(type(obj))
    url = reverse("core:pii_reveal", args=[kind, obj.pk, field])
    return format_html(
        '<span class="pii"><span>{}</span> <button type="button" class="pii-reveal" hx-post="{}" '
        'hx-target="closest .pii" hx-swap="outerHTML" data-testid="reveal-{}">{}</button></span>',
        masked,
        url,
        field,
        _("Show"),
    )


@register.simple_tag(takes_context=True)
def allowed(context, action: str) -> bool:
    request = context.get("request")
    return bool(request and scope_of(request.user).allows(action))

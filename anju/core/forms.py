"""Form helpers: Tabler classes on widgets, and service errors shown on the form."""

from django import forms
from django.core.exceptions import ValidationError

from anju.core.errors import DomainError


class StyledFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


def apply_service_errors(form: forms.Form, error: Exception) -> None:
    """Attach a DomainError or ValidationError raised by a service to the form's fields."""
    if isinstance(error, DomainError):
        field = error.field if error.field in form.fields else None
        form.add_error(field, str(error.message))
        return
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                target = field if field in form.fields else None
                for e in errors:
                    for message in e.messages:
                        form.add_error(target, message)
        else:
            for message in error.messages:
                form.add_error(None, message)
        return
    raise error


def mark_invalid(form: forms.Form) -> None:
    """Give each widget of a field with errors Bootstrap's is-invalid class (red border)."""
    for name in form.errors:
        if name in form.fields:
            attrs = form.fields[name].widget.attrs
            attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

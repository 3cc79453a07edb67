from django.contrib.auth.forms import AuthenticationForm

from anju.core.forms import StyledFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass

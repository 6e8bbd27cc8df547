"""Decorator for youth pages: login required, and only young people's accounts inside."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from passculture.accounts.models import Role


def youth_page(view: Callable[..., Any]) -> Callable[..., Any]:
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.role != Role.BENEFICIARY:
            # A pro or staff account has its own space; send it there rather than a 403.
            messages.info(request, "L’espace jeunes est réservé aux comptes des jeunes.")
            return redirect("admin:index" if request.user.is_staff else "pro:home")
        return view(request, *args, **kwargs)

    return wrapped

"""Decorators for teacher pages: login, a school membership, and the head's pages."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from passculture.collective import school_data
from passculture.collective.errors import NotHead
from passculture.collective.models import SchoolRole


def teacher_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Login required, and the account attached to a school (else a page explaining why)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        member = school_data.membership(request.user)
        if member is None:
            return render(
                request,
                "teacher/not_member.html",
                {"page_title": "Compte non rattaché à un établissement"},
                status=403,
            )
        request.school_member = member
        return view(request, *args, **kwargs)

    return wrapped


def head_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A teacher page only the head of the school may open; others go back with a message."""

    @teacher_page
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.school_member.role != SchoolRole.HEAD:
            messages.error(request, NotHead.message)
            return redirect("teacher:bookings")
        return view(request, *args, **kwargs)

    return wrapped

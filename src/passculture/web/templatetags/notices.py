from django import template

from passculture.accounts.models import Role
from passculture.notifications import notices

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notice_count(context) -> int:
    """Unread in-app notices of the signed-in young person (0 for anyone else)."""
    user = context.get("user")
    if user is None or not user.is_authenticated or user.role != Role.BENEFICIARY:
        return 0
    return notices.unread_count(user)

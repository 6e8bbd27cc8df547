from django import template

from passculture.notifications import notices

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notice_count(context) -> int:
    """Unread in-app notices of the signed-in user, whatever their space (0 when anonymous)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return notices.unread_count(user)

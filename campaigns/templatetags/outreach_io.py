"""Template helpers for the import and export links."""

from django import template

from campaigns import access

register = template.Library()


@register.simple_tag
def can_start_campaign(user):
    """Whether `user` may create a campaign by importing a notice or spreadsheet."""
    return access.startable_units(user).exists()

"""Agencies, user accounts, roles, login sessions and account administration."""

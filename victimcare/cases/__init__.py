"""Victims, their cases, intake, search, import and erasure."""

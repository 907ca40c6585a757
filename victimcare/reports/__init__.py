"""Statistics: periods, indicators, figures, suppression, the dashboard, XLSX/PDF exports and approvals.

Reads the other domains; no other domain imports it (.importlinter).
"""

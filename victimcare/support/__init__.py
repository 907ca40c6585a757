"""Support, protection, reintegration and medical care: what the person actually receives (DOMAIN.md §4–§5)."""

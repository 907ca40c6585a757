"""Handoffs between agencies (chuyển tuyến): referrals and transfers, and the consent they rest on."""

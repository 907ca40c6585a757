"""Tests of victimcare/support (the folder is not tests/support: that name is the shared helpers module)."""

"""Two-person approval: changes that one person asks for and a second person makes take effect."""

"""State machines of a victim's path and of referrals: pure Python, no Flask, no database.

Kept apart so the rules of the law can be read, tested and drawn without the web app.
"""

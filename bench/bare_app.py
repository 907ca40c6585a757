"""Yardsticks for bench/pages.py: a fixed page, and the same page after one durable commit.

The second is the least any page of ours can do: every view of personal data appends an event to
the confidentiality log and commits it before the page leaves. It shows how much of the bare
page's rate that one commit already costs, with the app's own database settings.
"""

import os

import sqlalchemy as sa
from flask import Flask

import victimcare.database  # noqa: F401  (the app's SQLite pragmas and BEGIN IMMEDIATE)

app = Flask(__name__)
BODY = (
    "<!doctype html><html><body>" + "x" * int(os.environ.get("BARE_PAGE_BYTES", "20000")) + "</body></html>"
)
FLOOR_TABLE = "bench_floor"
_engine = None


@app.get("/")
def page():
    return BODY


@app.get("/logged")
def logged():
    global _engine
    if _engine is None:
        _engine = sa.create_engine(os.environ["DATABASE_URL"])
    with _engine.begin() as connection:
        connection.execute(sa.text(f"INSERT INTO {FLOOR_TABLE} (note) VALUES (:note)"), {"note": "x" * 300})
    return BODY

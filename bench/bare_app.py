"""A bare Flask app that serves a fixed page: the yardstick for bench/pages.py."""
import os

from flask import Flask

app = Flask(__name__)
BODY = "<!doctype html><html><body>" + "x" * int(os.environ.get("BARE_PAGE_BYTES", "20000")) + "</body></html>"


@app.get("/")
def page():
    return BODY

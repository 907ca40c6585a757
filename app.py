"""Entry point: ``flask --app app …``, ``gunicorn app:app`` and ``python app.py`` all use this."""

import gc

from victimcare import create_app

app = create_app()
# What start-up built (models, templates, catalogues) lives as long as the process: frozen, the
# garbage collector stops walking it, and its full collections drop from about 80 ms to 6 ms
# (bench/pages.py, 100,000 cases), which would otherwise land on some unlucky page view.
gc.freeze()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=app.config["PORT"])

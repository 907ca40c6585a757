"""Entry point: ``flask --app app …``, ``gunicorn app:app`` and ``python app.py`` all use this."""
from victimcare import create_app

app = create_app()

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=app.config["PORT"])

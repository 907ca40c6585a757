"""Security headers on every response (OWASP secure headers), set in one place; and the one check
every address gets before any view runs.

No inline script is allowed, so the CSP needs no nonces; pages are never cached, since nearly
every page of this app shows personal data or depends on who is logged in.
"""

from flask import Flask, Response, request
from flask_babel import lazy_gettext as _l

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    production = app.config["ENV_NAME"] == "production"

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        headers["X-Content-Type-Options"] = "nosniff"
        headers["X-Frame-Options"] = "DENY"
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not _is_static(request.endpoint):
            headers["Cache-Control"] = "no-store"
            headers["Pragma"] = "no-cache"
        if production:
            headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        return response


def _is_static(endpoint: str | None) -> bool:
    return bool(endpoint) and (endpoint == "static" or endpoint.endswith(".static"))


def refuse_nul_in_address():
    """A NUL in the path or the query string answers 400 before any view compares it with the
    database (PostgreSQL refuses NUL in text outright). Form fields are checked by the forms."""
    if "\x00" in request.path or any("\x00" in key + value for key, value in request.args.items(multi=True)):
        from victimcare.errors import render_error

        return render_error(
            400, _l("This address contains a character that cannot be used (NUL). Check the link.")
        )
    return None

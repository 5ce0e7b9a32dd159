"""Which web pages may use the admin API from a browser.

Any page open in a developer's browser could otherwise reset their state or read their journal:
browsers send the page's Origin (and Sec-Fetch-Site) with every cross-origin request, so the
admin API answers a browser only for its own origin (the console) and the origins configured in
`admin_origins` ("*" for any). curl, test clients and servers send no Origin and are not refused.
"""
from __future__ import annotations

from urllib.parse import urlsplit

# Admin routes any page may read: they hold no state of anyone's.
PUBLIC_PATHS = ("/health", "/openapi.json", "/admin-openapi.json", "/postman.json")


class AdminOrigins:
    def __init__(self, configured: str):
        self.origins = {origin.strip().rstrip("/") for origin in configured.split(",")
                        if origin.strip()}

    def allows(self, environ) -> bool:
        """Whether this request may use the admin API: no browser page behind it, its own
        origin, or a configured one."""
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return environ.get("HTTP_SEC_FETCH_SITE") != "cross-site"
        if "*" in self.origins or origin.rstrip("/") in self.origins:
            return True
        return urlsplit(origin).netloc == environ.get("HTTP_HOST", "")

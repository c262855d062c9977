"""Backend settings read from the process environment prepared by the dev launcher."""

import os

ENVIRONMENT = os.environ.get("ENVIRONMENT", "development")
BACKEND_PORT = int(os.environ.get("BACKEND_PORT", "8000"))
AUTH_SERVICE_URL = os.environ.get("AUTH_SERVICE_URL", "http://127.0.0.1:8081")
AUTH_REQUEST_TIMEOUT = float(os.environ.get("AUTH_REQUEST_TIMEOUT", "5.0"))

"""Static service configuration used by the dev launcher to build each service's environment."""

import os
from dataclasses import dataclass
from enum import Enum


class ResourceMode(Enum):
    LOCAL = "local"
    SHARED = "shared"


@dataclass
class ServiceResource:
    name: str
    mode: ResourceMode
    host: str
    port: int


class ServicesConfiguration:
    def __init__(self) -> None:
        self.auth_service = ServiceResource(
            name="auth",
            mode=ResourceMode(os.getenv("AUTH_SERVICE_MODE", "local")),
            host=os.getenv("AUTH_SERVICE_HOST", "localhost"),
            port=int(os.getenv("AUTH_SERVICE_PORT", "8081")),
        )

    def auth_service_url(self) -> str:
        return os.getenv("AUTH_SERVICE_URL", "http://localhost:8081")

    def get_all_env_vars(self) -> dict[str, str]:
        env_vars: dict[str, str] = {}
        host, port = self.auth_service.host, self.auth_service.port
        if self.auth_service.mode == ResourceMode.SHARED:
            env_vars["AUTH_SERVICE_URL"] = f"https://{host}"
        else:
            env_vars["AUTH_SERVICE_URL"] = f"http://{host}:{port}"
        return env_vars

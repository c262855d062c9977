"""Typed application configuration shared by the Netra services."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AppConfig(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    ENVIRONMENT: str = "development"
    LOG_LEVEL: str = "INFO"
    BACKEND_PORT: int = 8000
    AUTH_SERVICE_PORT: int = 8081
    AUTH_SERVICE_URL: str = "http://127.0.0.1:8081"
    JWT_SECRET_KEY: str = Field(default="", repr=False)
    REDIS_URL: str = "redis://localhost:6379/2"


def get_config() -> AppConfig:
    return AppConfig()

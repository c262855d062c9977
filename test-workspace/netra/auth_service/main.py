"""Netra auth service: issues and validates tokens for the backend."""

import os

import uvicorn
from fastapi import FastAPI

app = FastAPI(title="Netra Auth Service")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "service": "auth"}


@app.post("/auth/validate")
async def validate(token: dict[str, str]) -> dict[str, bool]:
    return {"valid": bool(token.get("token"))}


if __name__ == "__main__":
    # Preferred port 8081; the dev launcher moves auth to 8082-8090 when it is taken.
    uvicorn.run("main:app", host="0.0.0.0", port=int(os.getenv("AUTH_SERVICE_PORT", "8081")), reload=False)

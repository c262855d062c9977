"""Netra backend API."""

import httpx
import uvicorn
from fastapi import FastAPI, Header, HTTPException

from app import config

app = FastAPI(title="Netra Backend")


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok", "service": "backend"}


@app.get("/api/me")
async def me(authorization: str = Header(default="")) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=config.AUTH_REQUEST_TIMEOUT) as client:
        resp = await client.post(f"{config.AUTH_SERVICE_URL}/auth/validate", json={"token": authorization})
    if resp.status_code != 200 or not resp.json().get("valid"):
        raise HTTPException(status_code=401, detail="Unauthorized")
    return {"status": "authenticated"}


if __name__ == "__main__":
    uvicorn.run("app.main:app", host="0.0.0.0", port=config.BACKEND_PORT)

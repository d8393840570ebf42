"""Operations: liveness, readiness and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from vcservice.api.models import Health, Readiness
from vcservice.http.deps import ServiceDep
from vcservice.http.problems import problem, problem_responses

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process serves requests")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Readiness: the database answers",
    response_model=Readiness,
    responses=problem_responses(503, described={503: "The database does not answer"}),
)
async def readyz(service: ServiceDep) -> Response:
    if await run_in_threadpool(service.ready):
        return JSONResponse({"status": "ready"})
    return problem(503, "Not ready", "the database does not answer")


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "description": "The Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
)
async def metrics(request: Request) -> Response:
    data = generate_latest(request.app.state.metrics.registry)
    return Response(data, media_type=CONTENT_TYPE_LATEST)

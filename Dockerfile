# syntax=docker/dockerfile:1
# vcservice: multi-stage build, non-root runtime, health check on /healthz.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md THIRD_PARTY_NOTICES.md ./
COPY vcservice ./vcservice
RUN python -m pip install --no-cache-dir --upgrade pip \
 && python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VCSERVICE_DATABASE_URL=sqlite:////data/vcservice.db
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin vcservice \
 && mkdir -p /data && chown vcservice /data
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER vcservice
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# The same command as `make run`, listening on all interfaces inside the container.
CMD ["vcservice", "serve", "--host", "0.0.0.0", "--port", "8000"]

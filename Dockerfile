# vcservice: multi-stage build, non-root runtime, health check on /healthz.
#
# BASE_IMAGE (both stages): any Debian-like image with python3 >= 3.11 and its venv module; the
# official python:3.11-slim by default. Where the public registry cannot be reached,
# tests/smoke/docker/base-images.sh makes a local stand-in with debootstrap:
#   docker build --build-arg BASE_IMAGE=vcservice-standin/python:bookworm -t vcservice .
ARG BASE_IMAGE=python:3.11-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /src
# Exactly what the wheel is built from: the package data (schemas, vocabulary, contexts,
# templates, migrations) lives inside vcservice/; conformance/ is the second packaged module
# (the vcservice-conformance command). .dockerignore keeps caches out of these folders.
COPY pyproject.toml README.md LICENSE THIRD_PARTY_NOTICES.md ./
COPY vcservice ./vcservice
COPY conformance ./conformance
# A virtual environment rather than the system pip: Debian's python3 is EXTERNALLY-MANAGED.
# The wheels of vcservice and of all its dependencies go to /wheels.
RUN python3 -m venv /opt/build \
 && /opt/build/bin/python -m pip install --no-cache-dir --upgrade pip \
 && /opt/build/bin/python -m pip wheel --no-cache-dir --wheel-dir /wheels .

FROM ${BASE_IMAGE} AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/vcservice/bin:$PATH \
    VCSERVICE_DATABASE_URL=sqlite:////data/vcservice.db
# Pango and a font: WeasyPrint renders the verification page's PDF report with them (without
# Pango that route answers 503). Nothing else outside Python is needed at run time.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin vcservice \
 && mkdir -p /data && chown vcservice /data
COPY --from=build /wheels /wheels
# Offline install from the build stage's wheels only, into /opt/vcservice (on PATH).
RUN python3 -m venv /opt/vcservice \
 && /opt/vcservice/bin/python -m pip install --no-cache-dir --no-index --find-links /wheels vcservice \
 && rm -rf /wheels
USER vcservice
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/opt/vcservice/bin/python", "-c", "import sys, urllib.request as u; sys.exit(u.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
# The same command as `make run`, listening on all interfaces inside the container.
CMD ["vcservice", "serve", "--host", "0.0.0.0", "--port", "8000"]

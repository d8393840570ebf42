#!/usr/bin/env bash
# Local stand-ins for the two public base images, for machines that cannot reach the public image
# registry (make docker-smoke, README "Docker and PostgreSQL"). Both are Debian bookworm root
# filesystems made with debootstrap from a Debian mirror and loaded with `docker import`:
#
#   vcservice-standin/python:bookworm    Debian + python3 (3.11) + python3-venv + ca-certificates;
#                                        stands in for python:3.11-slim (has python3, no `python`)
#   vcservice-standin/postgres:bookworm  Debian + PostgreSQL 15 (bookworm has no 16); stands in for
#                                        postgres:16: its entrypoint honours POSTGRES_USER,
#                                        POSTGRES_PASSWORD and POSTGRES_DB, keeps its data in
#                                        /var/lib/postgresql/data, listens on 5432, has pg_isready
#
# Usage (as root, with debootstrap and a running Docker daemon):
#   tests/smoke/docker/base-images.sh          # builds whichever of the two is missing
#   FORCE=1 tests/smoke/docker/base-images.sh  # rebuilds both
#   make docker-smoke BASE_IMAGE=vcservice-standin/python:bookworm \
#                     POSTGRES_IMAGE=vcservice-standin/postgres:bookworm
#
# Environment: DEBIAN_MIRROR (default: the first .../debian URI apt uses here, else
# http://deb.debian.org/debian), SUITE (bookworm), PYTHON_IMAGE, POSTGRES_IMAGE (the tags above),
# HOST_CA (default 1): the python stand-in trusts the CAs this host trusts (this host's
# /etc/ssl/certs/ca-certificates.crt, PIP_CERT pointing at it), so that building the vcservice
# image can reach PyPI behind a TLS-intercepting egress proxy; HOST_CA=0 keeps Debian's bundle.
# Idempotent: an existing tag is kept unless FORCE=1. Needs network access to the mirror only.
set -euo pipefail

SUITE=${SUITE:-bookworm}
HOST_CA=${HOST_CA:-1}
PYTHON_IMAGE=${PYTHON_IMAGE:-vcservice-standin/python:bookworm}
POSTGRES_IMAGE=${POSTGRES_IMAGE:-vcservice-standin/postgres:bookworm}
FORCE=${FORCE:-0}

say() { printf 'base-images: %s\n' "$*"; }
die() { printf 'base-images: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || die "debootstrap not found (apt-get install debootstrap)"
docker info >/dev/null 2>&1 || die "no Docker daemon reachable (docker info failed)"

if [ -z "${DEBIAN_MIRROR:-}" ]; then
  # The main archive apt is configured with (deb822 or one-line format), not the security one.
  DEBIAN_MIRROR=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list \
    /etc/apt/sources.list.d/ 2>/dev/null | head -n 1 | tr -d ' ') || true
  DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
fi

exists() { docker image inspect "$1" >/dev/null 2>&1; }

WORK=$(mktemp -d /tmp/vcservice-base-images.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# debootstrap DIR PACKAGES: a minimal Debian root with PACKAGES, apt lists and caches dropped.
bootstrap() {
  local dir=$1 packages=$2
  say "debootstrap $SUITE from $DEBIAN_MIRROR with $packages"
  debootstrap --variant=minbase --include="$packages" "$SUITE" "$dir" "$DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
}

if exists "$PYTHON_IMAGE" && [ "$FORCE" != 1 ]; then
  say "$PYTHON_IMAGE exists (FORCE=1 rebuilds it)"
else
  root="$WORK/python"
  bootstrap "$root" python3,python3-venv,ca-certificates
  if [ "$HOST_CA" = 1 ]; then
    cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  fi
  tar -C "$root" -c . | docker import \
    --change 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["python3"]' \
    - "$PYTHON_IMAGE" >/dev/null
  say "imported $PYTHON_IMAGE ($(docker run --rm "$PYTHON_IMAGE" python3 --version))"
fi

if exists "$POSTGRES_IMAGE" && [ "$FORCE" != 1 ]; then
  say "$POSTGRES_IMAGE exists (FORCE=1 rebuilds it)"
else
  root="$WORK/postgres"
  bootstrap "$root" postgresql,ca-certificates
  rm -rf "$root"/var/lib/postgresql/*/main "$root"/etc/postgresql/*/main # the package's own cluster
  pgbin=$(printf '%s\n' "$root"/usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  pgbin=${pgbin#"$root"}
  cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/bash
# Minimal stand-in for the official postgres image's entrypoint: initialises $PGDATA on first
# start with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, then runs postgres (as the postgres
# user) listening on all interfaces, port 5432, password (scram) authentication over TCP.
set -euo pipefail
: "${PGDATA:=/var/lib/postgresql/data}"
POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
[ -n "${POSTGRES_PASSWORD:-}" ] || { echo "POSTGRES_PASSWORD must be set" >&2; exit 1; }
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\"" >/dev/null
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
  echo "initialised $PGDATA (user $POSTGRES_USER, database $POSTGRES_DB)"
fi
exec "$@"
EOF
  chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
  tar -C "$root" -c . | docker import \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV PATH=$pgbin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    --change 'ENV PGDATA=/var/lib/postgresql/data' \
    --change 'VOLUME ["/var/lib/postgresql/data"]' \
    --change 'EXPOSE 5432' \
    --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
    --change 'CMD ["postgres", "-c", "listen_addresses=*"]' \
    - "$POSTGRES_IMAGE" >/dev/null
  say "imported $POSTGRES_IMAGE ($(docker run --rm --entrypoint postgres "$POSTGRES_IMAGE" --version))"
fi

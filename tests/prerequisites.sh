#!/usr/bin/env bash
# What `make test` needs outside Python, installed from Debian packages when missing:
#   PostgreSQL server binaries (tests/pg.py starts a private server per pytest process),
#   Chromium (browser tests drive Debian's chromium through Playwright; no browser download),
#   Pango (WeasyPrint renders the PDF report with it; usually already pulled in by chromium) and
#   poppler-utils (pdftotext reads the PDF report back in its test) and
#   SoftHSM2 (the PKCS#11 key backend's tests make keys in a throwaway SoftHSM2 token) and
#   zbarimg (zbar-tools: the resolver's browser test decodes a QR code as a scanner would).
# When one cannot be had (no apt-get, no root or sudo, the package not installable), this stops
# with one line naming it and how to get it, and exit code 1: never a half-run test suite.
set -euo pipefail

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo); fi
fi

has_postgres() {
  [ -x "${VCSERVICE_PG_BIN:-/nonexistent}/pg_ctl" ] || command -v pg_ctl >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null
}
has_chromium() { command -v chromium >/dev/null 2>&1; }
# has_lib SONAME: the dynamic loader finds the shared library (its cache, else the usual dirs).
# ldconfig's output is read whole, not piped into grep -q: under pipefail an early grep exit
# would fail the pipe.
has_lib() {
  local cache
  cache=$(PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null || true)
  grep -qF "$1" <<<"$cache" || compgen -G "/usr/lib/*/$1" >/dev/null \
    || compgen -G "/usr/lib/$1" >/dev/null
}
# Pango, as WeasyPrint loads it (libpango-1.0-0 and libpangoft2-1.0-0)
has_pango() { has_lib libpango-1.0.so.0 && has_lib libpangoft2-1.0.so.0; }
has_pdftotext() { command -v pdftotext >/dev/null 2>&1; }
has_zbarimg() { command -v zbarimg >/dev/null 2>&1; }
# SoftHSM2: its PKCS#11 module (plain or multiarch directory) and softhsm2-util, which makes tokens
has_softhsm() {
  local module=softhsm/libsofthsm2.so
  { [ -f "/usr/lib/$module" ] || compgen -G "/usr/lib/*/$module" >/dev/null; } \
    && command -v softhsm2-util >/dev/null 2>&1
}

updated=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$updated" = 0 ]; then
    "${sudo_cmd[@]}" apt-get update -qq >/dev/null || return 1
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}

# need NAME CHECK PACKAGES HOW: ensure CHECK holds, installing PACKAGES (one or more, separated
# by spaces) from Debian if it does not.
need() {
  local name=$1 check=$2 package=$3 how=$4 packages
  read -ra packages <<<"$package"
  if "$check"; then
    echo "$name found"
  elif echo "installing $name from Debian packages ($package)" && apt_install "${packages[@]}" \
    && "$check"; then
    echo "$name installed"
  else
    echo "make test: $name is missing and could not be installed here; $how" >&2
    exit 1
  fi
}

need "PostgreSQL server binaries" has_postgres postgresql \
  "install them (Debian/Ubuntu: apt-get install postgresql) or set VCSERVICE_PG_BIN to their bin directory"
need "Chromium" has_chromium chromium \
  "install it (Debian: apt-get install chromium) and put 'chromium' on PATH"
need "Pango" has_pango "libpango-1.0-0 libpangoft2-1.0-0" \
  "install it (Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0)"
need "pdftotext" has_pdftotext poppler-utils \
  "install it (Debian/Ubuntu: apt-get install poppler-utils)"
need "SoftHSM2" has_softhsm softhsm2 \
  "install it (Debian/Ubuntu: apt-get install softhsm2)"
need "zbarimg" has_zbarimg zbar-tools \
  "install it (Debian/Ubuntu: apt-get install zbar-tools)"

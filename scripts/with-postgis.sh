#!/usr/bin/env bash
# Run a command with a throwaway PostGIS server on 127.0.0.1 and PALMAP_TEST_POSTGIS_URL set.
# The server lives in a temporary folder and is stopped (and removed) when the command ends.
# If PALMAP_TEST_POSTGIS_URL is already set, that server is used and none is started.
# Usage: scripts/with-postgis.sh COMMAND [ARG...]
set -euo pipefail
if [ -n "${PALMAP_TEST_POSTGIS_URL:-}" ]; then
  exec "$@"
fi
port="${PALMAP_TEST_PG_PORT:-25432}"  # below the ephemeral range, which was seen to collide
bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "with-postgis: no PostgreSQL server found under /usr/lib/postgresql; install postgresql-15-postgis-3" >&2
  exit 1
fi
workdir="$(mktemp -d /tmp/palmap-pg.XXXXXX)"
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
[ "$(id -u)" -eq 0 ] && chown postgres "$workdir"
cleanup() {
  as_pg "'$bindir/pg_ctl' -D '$workdir/data' -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT
as_pg "'$bindir/initdb' -D '$workdir/data' -U postgres -A trust -E UTF8 --no-locale" >"$workdir/initdb.log" 2>&1 \
  || { cat "$workdir/initdb.log" >&2; exit 1; }
as_pg "'$bindir/pg_ctl' -D '$workdir/data' -o \"-p $port -k '$workdir' -c listen_addresses=127.0.0.1 -c fsync=off\" -l '$workdir/log' -w start" >/dev/null \
  || { cat "$workdir/log" >&2; exit 1; }
psql_() { "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql_ -d postgres -c "create database gis" >/dev/null
psql_ -d gis -c "create extension postgis" >/dev/null
export PALMAP_TEST_POSTGIS_URL="postgresql+psycopg://postgres@127.0.0.1:$port/gis"
echo "with-postgis: PostGIS on 127.0.0.1:$port" >&2
set +e
"$@"
status=$?
set -e
exit $status

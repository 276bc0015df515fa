#!/bin/sh
# Creates the cluster at the first start (role POSTGRES_USER with POSTGRES_PASSWORD, database
# POSTGRES_DB), then runs the server in the foreground as PID 1 with the command's settings.
set -eu
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
port=${PGPORT:-5432}
# `postgres -c ...` as in the public image; options alone are passed to postgres too.
if [ "${1:-}" = postgres ]; then shift; fi
case "${1:-}" in
  '' | -*) ;;
  *) exec "$@" ;;
esac
# postgres --version, --help and the like answer without a cluster.
for arg in "$@"; do
  case "$arg" in
    -'?' | --help | -V | --version | --describe-config | -C) exec postgres "$@" ;;
  esac
done

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres-entrypoint: set POSTGRES_PASSWORD (the database is empty and would be created without one)" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  # Connections over TCP from any address that listen_addresses lets in, with the password.
  echo 'host all all all scram-sha-256' >>"$PGDATA/pg_hba.conf"
  if [ "$db" != postgres ]; then
    # Reachable over its socket alone while the database is created.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p $port" -w -t 60 start >/dev/null
    psql -v ON_ERROR_STOP=1 -q -p "$port" -U "$user" -d postgres \
      -c "CREATE DATABASE \"$db\" OWNER \"$user\""
    pg_ctl -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
  fi
  echo "postgres-entrypoint: created the cluster, role $user and database $db"
fi
exec postgres -D "$PGDATA" -p "$port" "$@"

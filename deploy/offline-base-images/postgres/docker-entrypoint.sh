#!/bin/sh
# The part of the official postgres image's entrypoint docker-compose.yml relies on: on first start,
# a cluster in $PGDATA whose superuser is POSTGRES_USER with POSTGRES_PASSWORD (scram-sha-256 over
# TCP, trust on the local socket) and a database POSTGRES_DB; then PostgreSQL as the postgres user.
set -eu

bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }

if [ "${1:-}" != postgres ]; then exec "$@"; fi
shift

: "${POSTGRES_PASSWORD:?is required (the official image asks for it too)}"
user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"

mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  echo "docker-entrypoint: creating the cluster in $PGDATA (superuser $user, database $database)"
  # The password goes through a file readable by postgres only, never a command line.
  pwfile="$(mktemp)"
  printf '%s' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  as_postgres "$bin/initdb" -D "$PGDATA" -U "$user" --pwfile="$pwfile" --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$database" != postgres ]; then
    # Single-user mode: no server listens before the database exists.
    echo "CREATE DATABASE \"$database\" OWNER \"$user\";" | as_postgres "$bin/postgres" --single -D "$PGDATA" postgres >/dev/null
  fi
fi

exec setpriv --reuid=postgres --regid=postgres --init-groups "$bin/postgres" -D "$PGDATA" "$@"

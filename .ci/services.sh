# Sourced by .ci/run: installs (Debian packages) and starts the services the tests use, bound to
# 127.0.0.1, and exports where they are. Stopped when the calling shell exits.
#   PostgreSQL (Debian's postgresql)   -> DAGSTER_PG_HOST/PORT/USER/PASSWORD
#   S3 (moto's server, a dev dependency) -> REGIONAL_ECON_TEST_S3_ENDPOINT
#   Chromium (Debian's chromium)      -> on PATH, for the portal's browser test (Playwright drives it)
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! command -v chromium >/dev/null; then
    apt_install chromium
fi
echo "$(chromium --version 2>/dev/null || echo 'chromium: missing')"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pg_bin" ]; then
    apt_install postgresql
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi
pg_data=$(mktemp -d /tmp/regional-econ-ci-pg.XXXXXX)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pg_data"
export DAGSTER_PG_HOST=127.0.0.1 DAGSTER_PG_PORT=${DAGSTER_PG_PORT:-55432} DAGSTER_PG_USER=dagster
export DAGSTER_PG_PASSWORD=${DAGSTER_PG_PASSWORD:-ci-only-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')}
pwfile=$(mktemp) && echo "$DAGSTER_PG_PASSWORD" >"$pwfile" && chmod 644 "$pwfile"
as_postgres "$pg_bin/initdb" -D "$pg_data" -U dagster --pwfile="$pwfile" -A scram-sha-256 -E UTF8 >/dev/null
rm -f "$pwfile"
as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_data/server.log" -w \
    -o "-h 127.0.0.1 -p $DAGSTER_PG_PORT -k $pg_data -c fsync=off" start >/dev/null
stop_pg() { as_postgres "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$pg_data"; }
trap stop_pg EXIT
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$DAGSTER_PG_PORT"

make install
s3_port=${REGIONAL_ECON_TEST_S3_PORT:-59000}
s3_log=$(mktemp /tmp/regional-econ-ci-s3.XXXXXX)
.venv/bin/python -m moto.server -H 127.0.0.1 -p "$s3_port" >"$s3_log" 2>&1 &
s3_pid=$!
trap 'kill $s3_pid 2>/dev/null || true; rm -f "$s3_log"; stop_pg' EXIT
.venv/bin/python - "$s3_port" <<'PY'
import socket, sys, time
for _ in range(120):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit("the S3 server did not start")
PY
export REGIONAL_ECON_TEST_S3_ENDPOINT=http://127.0.0.1:$s3_port
echo "S3 (moto) on $REGIONAL_ECON_TEST_S3_ENDPOINT"

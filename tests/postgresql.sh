#!/bin/sh
# A throw-away PostgreSQL server on 127.0.0.1 for one test run (or one benchmark).
#
#   env=$(sh tests/postgresql.sh start) && eval "$env"   # prints the export lines
#   ...                                                    # tests read COPRODUCTION_TEST_DATABASE_URL
#   sh tests/postgresql.sh stop "$COPRODUCTION_TEST_PGDIR"
#
# Installs Debian's PostgreSQL server when it is missing and this is root (CI starts
# from a clean machine). The cluster lives in a new temporary folder, owned by the
# 'postgres' user when run as root (the server refuses to run as root), listens on
# 127.0.0.1 only, on a free port, with a random password (scram-sha-256). Nothing
# else on the machine is touched; 'stop' stops that server and removes the folder.
set -e

bindir() {
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ]; then
            echo "$dir"
            return 0
        fi
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

as_owner() {  # run a command as the cluster's owner
    if [ "$(id -u)" = "0" ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start() {
    if ! bin=$(bindir); then
        if [ "$(id -u)" = "0" ]; then
            apt-get update -qq
            if [ -e /usr/sbin/policy-rc.d ]; then
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
            else  # only the programs: the package's own cluster is kept from starting
                printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
                chmod +x /usr/sbin/policy-rc.d
                status=0
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null ||
                    status=$?
                rm -f /usr/sbin/policy-rc.d
                [ "$status" = 0 ] || exit "$status"
            fi
            bin=$(bindir)
        else
            echo "The PostgreSQL tests need a server: run 'sudo apt-get install -y postgresql' once." >&2
            exit 1
        fi
    fi
    dir=$(mktemp -d "${TMPDIR:-/tmp}/coproduction-pg.XXXXXX")
    if [ "$(id -u)" = "0" ]; then
        id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
        chown postgres "$dir"
    fi
    password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner sh -c "umask 077 && printf '%s\n' '$password' > '$dir/password'"
    as_owner "$bin/initdb" -D "$dir/data" -U kit --auth=scram-sha-256 --pwfile="$dir/password" \
        -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        as_owner "$bin/initdb" -D "$dir/data" -U kit --auth=scram-sha-256 --pwfile="$dir/password" \
            -E UTF8 --no-locale >"$dir/initdb.log" 2>&1
    as_owner rm -f "$dir/password"
    if ! command -v openssl >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
    fi
    # TLS as a deployment has it: a certificate for 127.0.0.1 signed by a throw-away
    # authority, so a client with sslmode=verify-full can check it (tests/test_deploy.py).
    as_owner sh -c "umask 077 && cd '$dir' &&
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-authority \
            -keyout ca.key -out ca.crt >/dev/null 2>&1 &&
        openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key \
            -out server.csr >/dev/null 2>&1 &&
        printf 'subjectAltName=IP:127.0.0.1\n' > san.ext &&
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
            -extfile san.ext -out server.crt >/dev/null 2>&1 && chmod 644 ca.crt"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c ssl=on -c ssl_cert_file=$dir/server.crt -c ssl_key_file=$dir/server.key" start >/dev/null
    PGPASSWORD=$password "$bin/psql" -q -h 127.0.0.1 -p "$port" -U kit -d postgres \
        -c "CREATE DATABASE coproduction_test" >/dev/null
    echo "export COPRODUCTION_TEST_DATABASE_URL=postgresql://kit:$password@127.0.0.1:$port/coproduction_test"
    echo "export COPRODUCTION_TEST_PGDIR=$dir"
    echo "export COPRODUCTION_TEST_PGBIN=$bin"
    echo "export COPRODUCTION_TEST_PGCA=$dir/ca.crt"
}

stop() {
    dir=$1
    case "$dir" in
        */coproduction-pg.*) ;;
        *) echo "usage: $0 stop FOLDER (the COPRODUCTION_TEST_PGDIR that start printed)" >&2; exit 2 ;;
    esac
    if [ -d "$dir/data" ]; then
        bin=$(bindir)
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "$1" in
    start) start ;;
    stop) stop "$2" ;;
    *) echo "usage: $0 start | stop FOLDER" >&2; exit 2 ;;
esac

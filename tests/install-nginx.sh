#!/bin/sh
# The deployment tests (tests/test_deploy.py) run nginx's own check of deploy/nginx and a
# real nginx on 127.0.0.1; install Debian's nginx-light if this machine lacks nginx.
# Only the program is wanted: the package's own site is kept from starting.
set -e
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    exit 0
fi
if [ "$(id -u)" != "0" ]; then
    echo "The deployment tests need nginx: run 'sudo apt-get install -y nginx-light' once." >&2
    exit 1
fi
apt-get update -qq
if [ -e /usr/sbin/policy-rc.d ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl >/dev/null
else
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d  # no daemon on port 80
    chmod +x /usr/sbin/policy-rc.d
    status=0
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light openssl >/dev/null ||
        status=$?
    rm -f /usr/sbin/policy-rc.d
    exit $status
fi

#!/bin/sh
# Browser tests drive Debian's Chromium; install it if this machine lacks it.
# (Playwright's own browser download is never used.)
set -e
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
    echo "Browser tests need Chromium: run 'sudo apt-get install -y chromium' once." >&2
    exit 1
fi

#!/bin/sh
# Nightly backup of every workshop in the partnership's PostgreSQL database.
#
#   COPRODUCTION_DATABASE_URL=postgresql://coproduction_backup@db.internal/coproduction \
#       KEEP_DAYS=7 BACKUPS=/var/backups/coproduction sh deploy/backup/backup.sh
#
# - one pg_dump file per night with every workshop schema (workshop_*), readable only by
#   the user running it; put BACKUPS on an encrypted disk;
# - files older than KEEP_DAYS days are overwritten and deleted. That is how a withdrawal
#   reaches the backups: KEEP_DAYS days after someone withdraws, no backup holds what
#   they gave. Say so in what people are told (see deploy/README.md);
# - the password is never on this command line: keep it in the running user's ~/.pgpass
#   (mode 0600), not in the URL.
set -eu

: "${COPRODUCTION_DATABASE_URL:?set COPRODUCTION_DATABASE_URL (no password in it: use ~/.pgpass)}"
BACKUPS=${BACKUPS:-/var/backups/coproduction}
KEEP_DAYS=${KEEP_DAYS:-7}

case "$KEEP_DAYS" in
    ''|*[!0-9]*) echo "KEEP_DAYS should be a whole number of days" >&2; exit 2 ;;
esac

umask 077
mkdir -p "$BACKUPS"
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
target="$BACKUPS/coproduction-$stamp.dump"

pg_dump --format=custom --no-owner --no-privileges --schema='workshop_*' \
    --file="$target.partial" --dbname="$COPRODUCTION_DATABASE_URL"
mv "$target.partial" "$target"

# Older than KEEP_DAYS days: overwrite, then delete (on SSDs and copy-on-write disks the
# old blocks may survive an overwrite: that is why BACKUPS sits on an encrypted disk).
find "$BACKUPS" -maxdepth 1 -name 'coproduction-*.dump' -mtime +"$KEEP_DAYS" \
    -exec shred --remove --zero {} \;
find "$BACKUPS" -maxdepth 1 -name 'coproduction-*.dump.partial' -mtime +1 \
    -exec shred --remove --zero {} \;
echo "Backed up to $target; backups older than $KEEP_DAYS days were removed."

#!/usr/bin/env bash
# The backup and restore procedure of docs/backup.md, tried end to end on PostgreSQL: load a bank into a
# fresh database, run its EOD, take a logical backup (pg_dump custom format), restore it into a new
# database, and check that the restored copy passes verify_audit, holds exactly the same number of rows
# in every table, and that its personal data reads back only with the same field and hash keys.
# Exit 0 when all holds; non-zero with the reason otherwise. Drops what it creates.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
SCALE=${BACKUP_CHECK_SCALE:-tiny}

src="lp_backup_src_$$"
dst="lp_backup_dst_$$"
work=$(mktemp -d)
cleanup() {
  dropdb --if-exists "$src" || true
  dropdb --if-exists "$dst" || true
  rm -rf "$work"
}
trap cleanup EXIT

# Keys of their own, as production has: the dump is useless without them.
DEBUG=1
SECRET_KEY="backup-check-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LENDPILOT_FIELD_KEYS=$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
LENDPILOT_HASH_KEY=$($PY -c 'import secrets; print(secrets.token_hex(32))')
LENDPILOT_AUDIT_KEY=$($PY -c 'import secrets; print(secrets.token_hex(32))')
export DEBUG SECRET_KEY LENDPILOT_FIELD_KEYS LENDPILOT_HASH_KEY LENDPILOT_AUDIT_KEY

echo "--- source database ${src} (scale ${SCALE})"
createdb "$src"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${src}"
$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo --scale "$SCALE" --seed 7 --no-progress > "$work/seed.log"
$PY manage.py verify_audit

echo "--- backup: pg_dump --format=custom"
pg_dump --format=custom --no-owner --file="$work/lendpilot.dump" "$src"
ls -l "$work/lendpilot.dump"

echo "--- restore into ${dst}"
createdb "$dst"
pg_restore --no-owner --exit-on-error --jobs=2 --dbname="$dst" "$work/lendpilot.dump"

COUNTS="SELECT table_name, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
  table_schema, table_name), false, true, '')))[1]::text::bigint FROM information_schema.tables
  WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
psql -X -q -A -t -d "$src" -c "$COUNTS" > "$work/src.counts"
psql -X -q -A -t -d "$dst" -c "$COUNTS" > "$work/dst.counts"
if ! diff -u "$work/src.counts" "$work/dst.counts"; then
  echo "FAIL: row counts differ between the source and the restored database" >&2
  exit 1
fi
echo "row counts equal in $(wc -l < "$work/src.counts") tables ($(awk -F'|' '{s+=$2} END {print s}' "$work/src.counts") rows)"

export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${dst}"
$PY manage.py verify_audit
$PY manage.py migrate --check --noinput -v 0

PII_CHECK='
from lendpilot.compliance import crypto
from lendpilot.customers.models import Customer
c = Customer.objects.exclude(id_number_cipher="").order_by("pk").first()
plain = crypto.decrypt(c.id_number_cipher)
assert crypto.keyed_hash(plain) == c.id_number_hash, "hash key differs"
print("PII readable and searchable with the same keys:", c.id_number_masked)
'
$PY manage.py shell -c "$PII_CHECK"
other_field=$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
if LENDPILOT_FIELD_KEYS="$other_field" $PY manage.py shell -c "$PII_CHECK" > "$work/wrongkey.log" 2>&1; then
  echo "FAIL: the restored PII was readable with another field key" >&2
  exit 1
fi
grep -q "cannot be decrypted" "$work/wrongkey.log" || { cat "$work/wrongkey.log" >&2; exit 1; }
echo "PII unreadable with another field key, as expected"
echo "backup/restore check: OK"

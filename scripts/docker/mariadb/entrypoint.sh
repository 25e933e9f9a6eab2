#!/bin/sh
# Initialises the datadir on first start (applying MARIADB_ROOT_PASSWORD, MARIADB_DATABASE,
# MARIADB_USER, MARIADB_PASSWORD), then runs mariadbd on 0.0.0.0:3306. Extra arguments go to mariadbd.
set -eu
DATADIR=/var/lib/mysql
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$DATADIR"

fail() { echo "lchost-mariadb: $*" >&2; exit 1; }
# SQL string literal content: double backslashes and single quotes
sql_str() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e "s/'/''/g"; }

if [ ! -d "$DATADIR/mysql" ]; then
  [ -n "${MARIADB_ROOT_PASSWORD:-}" ] || fail "MARIADB_ROOT_PASSWORD is required to initialise an empty datadir"
  for v in MARIADB_DATABASE MARIADB_USER; do
    eval "val=\${$v:-}"
    if [ -n "$val" ] && ! printf '%s' "$val" | grep -Eq '^[A-Za-z0-9_]{1,64}$'; then fail "$v=\"$val\" is invalid: use letters, digits and _ only"; fi
  done
  if [ -n "${MARIADB_USER:-}" ] && [ -z "${MARIADB_PASSWORD:-}" ]; then fail "MARIADB_PASSWORD is required with MARIADB_USER"; fi
  echo "lchost-mariadb: initialising $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket=/run/mysqld/init.sock --pid-file=/run/mysqld/init.pid &
  pid=$!
  i=0
  until mariadb-admin --protocol=socket --socket=/run/mysqld/init.sock ping >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -le 300 ] || fail "temporary server did not start"; sleep 0.1
  done
  {
    echo "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;" # no anonymous accounts
    echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('$(sql_str "$MARIADB_ROOT_PASSWORD")');"
    if [ -n "${MARIADB_DATABASE:-}" ]; then echo "CREATE DATABASE IF NOT EXISTS \`$MARIADB_DATABASE\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"; fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER '$MARIADB_USER'@'%' IDENTIFIED BY '$(sql_str "$MARIADB_PASSWORD")';"
      if [ -n "${MARIADB_DATABASE:-}" ]; then echo "GRANT ALL PRIVILEGES ON \`$MARIADB_DATABASE\`.* TO '$MARIADB_USER'@'%';"; fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --protocol=socket --socket=/run/mysqld/init.sock -uroot
  kill "$pid"
  wait "$pid" || true
  echo "lchost-mariadb: initialised"
fi

exec mariadbd --user=mysql --datadir="$DATADIR" --bind-address=0.0.0.0 --port=3306 \
  --socket=/run/mysqld/mysqld.sock --pid-file=/run/mysqld/mysqld.pid \
  --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@"

#!/usr/bin/env bash
# Starts (installing if needed) a PostgreSQL and a MariaDB server on 127.0.0.1 for the store-sql tests,
# reusing servers that already answer, and prints the two `export` lines the tests read:
#   eval "$(bash packages/store-sql/scripts/start-test-databases.sh)"
# Each test suite creates its own uniquely named database through these URIs, so the role must be allowed
# to create databases. Diagnostics go to stderr; stdout holds only the export lines.
set -euo pipefail

pg_port="${CAIRN_TEST_POSTGRES_PORT:-5432}"
my_port="${CAIRN_TEST_MYSQL_PORT:-3306}"
user=cairn
password=cairn

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  command -v apt-get >/dev/null || { echo "no $1 server and no apt-get to install one" >&2; exit 1; }
  # A fresh machine has no package lists yet.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}

start_postgres() {
  if pg_isready -q -h 127.0.0.1 -p "$pg_port" 2>/dev/null; then
    echo "PostgreSQL already answers on $pg_port" >&2
  else
    command -v pg_ctlcluster >/dev/null || install_packages postgresql
    local version
    version="$(ls /etc/postgresql | sort -V | tail -1)"
    [ -d "/etc/postgresql/$version/main" ] || as_root pg_createcluster "$version" main >&2
    as_root pg_ctlcluster "$version" main start >&2 || true
    for _ in $(seq 1 60); do pg_isready -q -h 127.0.0.1 -p "$pg_port" && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p "$pg_port" || { echo "PostgreSQL did not start" >&2; exit 1; }
  fi
  as_root su postgres -c "psql -q -p $pg_port -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN CREATEDB PASSWORD '$password';
  END IF;
END \$\$;
SQL
}

mysql_ping() { mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$my_port" -u"$user" -p"$password" ping >/dev/null 2>&1; }

start_mariadb() {
  if mysql_ping; then
    echo "MariaDB already answers on $my_port" >&2
    return
  fi
  command -v mariadbd >/dev/null || install_packages mariadb-server
  if ! as_root mariadb-admin ping >/dev/null 2>&1; then
    [ -d /var/lib/mysql/mysql ] || as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld
    # setsid + nohup: the server outlives this script, which only starts it.
    as_root setsid nohup mariadbd --user=mysql --bind-address=127.0.0.1 --port="$my_port" \
      >/tmp/cairn-mariadb.log 2>&1 </dev/null &
    for _ in $(seq 1 60); do as_root mariadb-admin ping >/dev/null 2>&1 && break; sleep 0.5; done
  fi
  as_root mariadb -e "CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password'; \
    CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password'; \
    GRANT ALL PRIVILEGES ON *.* TO '$user'@'%'; GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost'; FLUSH PRIVILEGES;" >&2
  mysql_ping || { echo "MariaDB did not start" >&2; exit 1; }
}

start_postgres
start_mariadb
echo "export CAIRN_TEST_POSTGRES_URI=postgresql://$user:$password@127.0.0.1:$pg_port/postgres"
echo "export CAIRN_TEST_MYSQL_URI=mysql://$user:$password@127.0.0.1:$my_port/mysql"

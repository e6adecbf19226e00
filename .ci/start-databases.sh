#!/usr/bin/env bash
# Installs (from Debian's packages, when missing) and starts PostgreSQL and MariaDB on 127.0.0.1 for the SQL
# store's suites, reusing servers that already run, and prints the two `export` lines the suites read:
#   eval "$(bash .ci/start-databases.sh)"
# Everything else goes to stderr. Needs root (CI machines and these sandboxes run as root).
set -euo pipefail
log() { echo "start-databases: $*" >&2; }
user=cairn
password=cairn

need=()
command -v pg_ctlcluster >/dev/null 2>&1 || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >&2
fi

# PostgreSQL: the first cluster Debian made, started if it is down.
pg_version=$(ls /etc/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk -v v="$pg_version" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
  log "starting PostgreSQL $pg_version"
  pg_ctlcluster "$pg_version" main start >&2
fi
for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -q && break; sleep 0.2; done
su postgres -c "psql -q -v ON_ERROR_STOP=1" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$user') THEN
    CREATE ROLE $user LOGIN SUPERUSER PASSWORD '$password';
  END IF;
END \$\$;
SQL

# MariaDB: initialise the data directory once, then run mariadbd in the background on loopback.
if ! mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1; then
  if [ ! -d /var/lib/mysql/mysql ]; then
    log "initialising MariaDB's data directory"
    mariadb-install-db --user=mysql --datadir=/var/lib/mysql >&2
  fi
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
  log "starting MariaDB"
  nohup mariadbd --user=mysql --bind-address=127.0.0.1 --port=3306 >/tmp/cairn-mariadbd.log 2>&1 &
  for _ in $(seq 1 100); do mariadb-admin ping -h 127.0.0.1 --silent >/dev/null 2>&1 && break; sleep 0.2; done
fi
mariadb -u root >&2 <<SQL
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO '$user'@'127.0.0.1' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$user'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL

echo "export CAIRN_TEST_POSTGRES_URI=postgresql://$user:$password@127.0.0.1:5432/postgres"
echo "export CAIRN_TEST_MYSQL_URI=mysql://$user:$password@127.0.0.1:3306/mysql"

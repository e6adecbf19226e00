#!/usr/bin/env bash
# CI's name for the SQL store's database starter (installs from Debian's packages when missing, starts
# PostgreSQL and MariaDB on 127.0.0.1, prints the CAIRN_TEST_*_URI exports): eval "$(bash .ci/start-databases.sh)"
exec bash "$(dirname "$0")/../packages/store-sql/scripts/start-test-databases.sh" "$@"

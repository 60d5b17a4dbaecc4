#!/bin/sh
# Creates Keycloak's role and database. The PostgreSQL image runs this once, when it initialises
# an empty data directory. psql reads the password from the secret file itself (\set with a
# backquoted command), so it never appears on a command line.
set -eu

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
\set password `cat /run/secrets/keycloak_db_password`
CREATE ROLE keycloak LOGIN PASSWORD :'password';
CREATE DATABASE keycloak OWNER keycloak;
SQL

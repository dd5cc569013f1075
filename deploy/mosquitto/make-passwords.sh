#!/bin/sh
# Per-gateway broker logins and the topic ACL, from the fleet registry (see services/platform/src/
# deploy/make-passwords.ts). Run from the repository root after `npm ci && npm run build`:
#
#   MQTT_PASSWORD=<ingest password from .env> deploy/mosquitto/make-passwords.sh
#
# Writes deploy/mosquitto/secrets/{passwd,acl,gateway-credentials.json} (never committed).
set -eu
cd "$(dirname "$0")/../.."
exec node services/platform/dist/make-passwords.js "$@"

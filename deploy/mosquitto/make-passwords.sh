#!/bin/sh
# Per-gateway broker logins (each bound to its client id) and their roles, from the fleet registry (see
# services/platform/src/deploy/make-passwords.ts). Run from the repository root after `npm ci && npm run build`:
#
#   MQTT_PASSWORD=<ingest password from .env> API_MQTT_PASSWORD=<api password> deploy/mosquitto/make-passwords.sh
#
# Writes deploy/mosquitto/secrets/dynsec/{dynamic-security.json,healthcheck-password} (the broker's, for
# the dynamic-security plugin) and deploy/mosquitto/secrets/gateway-credentials.json (never committed).
set -eu
cd "$(dirname "$0")/../.."
exec node services/platform/dist/make-passwords.js "$@"

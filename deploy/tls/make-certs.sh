#!/bin/sh
# A private certificate authority and the TLS certificates of the compose deployment, with plain openssl.
# Run from anywhere; writes into deploy/tls/secrets/ (git-ignored) unless TLS_OUT_DIR says otherwise:
#
#   deploy/tls/make-certs.sh                         # CA, broker and API certificates
#   deploy/tls/make-certs.sh gw-c3d2c914 ingest api  # ... and client certificates with these common names
#
#   ca.crt                 the CA every client trusts (MQTT_CA_PATH, the gateways, browsers/curl --cacert)
#   ca.key                 the CA's key: keep it off the server once the certificates are made
#   broker.crt/.key        Mosquitto's listener on 8883 (SAN: TLS_BROKER_NAMES)
#   api.crt/.key           the API's HTTPS (SAN: TLS_API_NAMES)
#   clients/<name>.crt/.key  client certificates, for `require_certificate true` on the broker
#
# Names (comma-separated DNS names or IP addresses) default to the hostnames the compose services use plus
# localhost; add the public names the boats and the browsers use:
#
#   TLS_BROKER_NAMES=mqtt.example.vn,mosquitto,localhost,127.0.0.1 \
#   TLS_API_NAMES=qtled.example.vn,api,localhost,127.0.0.1 deploy/tls/make-certs.sh
#
# An existing CA (ca.crt + ca.key in the output directory) is reused, so running again with another name
# re-issues certificates the clients already trust; existing certificates are replaced. Keys are 0600.
# Operators with certificates of their own CA (or a public one) skip this script and mount their files
# under the same names (README.md, "Deploying with TLS").
set -eu

OUT="${TLS_OUT_DIR:-$(dirname "$0")/secrets}"
BROKER_NAMES="${TLS_BROKER_NAMES:-mosquitto,localhost,127.0.0.1,::1}"
API_NAMES="${TLS_API_NAMES:-api,localhost,127.0.0.1,::1}"
DAYS="${TLS_DAYS:-825}"
CA_DAYS="${TLS_CA_DAYS:-3650}"

umask 077
mkdir -p "$OUT/clients"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# "a,b,1.2.3.4" -> "DNS:a,DNS:b,IP:1.2.3.4"
san() {
  echo "$1" | tr ',' '\n' | sed -e 's/^ *//' -e 's/ *$//' -e '/^$/d' | while read -r name; do
    case "$name" in
      *[!0-9.]* ) case "$name" in *:*) echo "IP:$name" ;; *) echo "DNS:$name" ;; esac ;;
      * ) echo "IP:$name" ;;
    esac
  done | paste -sd, -
}

# issue <name> <common name> <extensions>
issue() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/$1.key" 2>/dev/null
  openssl req -new -key "$TMP/$1.key" -subj "/O=qt-led/CN=$2" -out "$TMP/$1.csr"
  printf '%s\n' "$3" >"$TMP/$1.ext"
  openssl x509 -req -in "$TMP/$1.csr" -CA "$OUT/ca.crt" -CAkey "$OUT/ca.key" -CAcreateserial \
    -CAserial "$TMP/ca.srl" -days "$DAYS" -sha256 -extfile "$TMP/$1.ext" -out "$TMP/$1.crt" 2>/dev/null
}

if [ ! -f "$OUT/ca.crt" ] || [ ! -f "$OUT/ca.key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$OUT/ca.key" -subj "/O=qt-led/CN=qt-led private CA" -days "$CA_DAYS" \
    -sha256 -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$OUT/ca.crt"
  echo "made the CA: $OUT/ca.crt"
fi

server_ext() {
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$(san "$1")"
}
client_ext='basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth'

issue broker "$(echo "$BROKER_NAMES" | cut -d, -f1)" "$(server_ext "$BROKER_NAMES")"
issue api "$(echo "$API_NAMES" | cut -d, -f1)" "$(server_ext "$API_NAMES")"
for name in broker api; do
  mv "$TMP/$name.key" "$TMP/$name.crt" "$OUT/"
  echo "made $OUT/$name.crt for $(san "$( [ "$name" = broker ] && echo "$BROKER_NAMES" || echo "$API_NAMES")")"
done
for client in "$@"; do
  case "$client" in
    *[!A-Za-z0-9_.-]* | '' ) echo "make-certs: client name \"$client\": letters, digits, _ . - only" >&2; exit 2 ;;
  esac
  issue "$client" "$client" "$client_ext"
  mv "$TMP/$client.key" "$TMP/$client.crt" "$OUT/clients/"
  echo "made $OUT/clients/$client.crt"
done
# Certificates are public; keys stay 0600 (umask above).
chmod 644 "$OUT/ca.crt" "$OUT/broker.crt" "$OUT/api.crt"
for client in "$@"; do chmod 644 "$OUT/clients/$client.crt"; done

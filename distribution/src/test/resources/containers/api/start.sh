# Reaches the mocks by their service names, then serves /cgi-bin/order, which calls auth again.
/bin/busybox --install -s /bin
export PATH=/bin
echo "api starting"
echo "token: $(wget -q -O - "$AUTH_URL" 2>&1)"
echo "cache: $(echo PING | nc "${CACHE_ADDR%:*}" "${CACHE_ADDR#*:}")"
if [ -n "$SECURE_URL" ]; then
  # curl verifies the mock's certificate: with the mounted CA, with SSL_CERT_FILE (OpenSSL's
  # default, so no flag), and, without either, it must refuse.
  echo "secure: $(/usr/bin/curl -sS --cacert "$FAULTBOX_MOCK_CA" "$SECURE_URL" 2>&1)"
  echo "default: $(/usr/bin/curl -sS "$SECURE_URL" 2>&1)"
  echo "unverified: $(env -u SSL_CERT_FILE /usr/bin/curl -sS "$SECURE_URL" 2>&1)"
fi
if [ -n "$FAULTBOX_MOCK_CA" ]; then
  echo "ca: $(sha256sum < "$FAULTBOX_MOCK_CA") bundle: $(sha256sum < "$SSL_CERT_FILE")"
fi
if [ -n "$EXIT_WITH" ]; then
  echo "giving up" >&2
  exit "$EXIT_WITH"
fi
exec httpd -f -p "${PORT:-$FAULTBOX_API_PUBLIC_PORT}" -h /www  # PORT, else the port Faultbox gives it

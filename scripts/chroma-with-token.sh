#!/usr/bin/env bash
# A token check in front of `chroma run`: the open-source Chroma 1.x server has no authentication
# of its own (chroma-core/chroma#4965), so Debian's nginx refuses every request whose X-Chroma-Token
# header is not exactly the token (401) and passes the rest to Chroma on 127.0.0.1:CHROMA_PORT.
# Only the heartbeat stays open, so a health check needs no token.
#
#   CHROMA_TOKEN_FILE=/etc/assistant/chroma-token scripts/chroma-with-token.sh /var/lib/assistant/proxy 0.0.0.0:8000 8001
#
# The token comes from CHROMA_TOKEN_FILE (its first line) or CHROMA_TOKEN and is never printed; it is
# written only into FOLDER/nginx.conf (mode 600). The script then runs nginx in the foreground
# (stop it with Ctrl-C or SIGTERM); with --config-only it writes the file and says how to start it.
# Keep Chroma itself on loopback: `chroma run --host 127.0.0.1 --port CHROMA_PORT --path DIR`.
set -euo pipefail

usage="usage: $0 [--config-only] FOLDER LISTEN_ADDRESS:PORT CHROMA_PORT"
config_only=false
if [ "${1:-}" = "--config-only" ]; then
  config_only=true
  shift
fi
if [ "$#" -ne 3 ]; then
  echo "$usage" >&2
  exit 2
fi
folder=$1
listen=$2
chroma_port=$3

listen_pattern='^([0-9A-Za-z.-]+|\[[0-9A-Fa-f:]+\]):[0-9]+$'  # host:port or [ipv6]:port
if ! [[ "$listen" =~ $listen_pattern ]]; then
  echo "LISTEN_ADDRESS:PORT must look like 127.0.0.1:8000, not '$listen'" >&2
  exit 2
fi
if ! [[ "$chroma_port" =~ ^[0-9]+$ ]]; then
  echo "CHROMA_PORT must be a port number, not '$chroma_port'" >&2
  exit 2
fi

if [ -n "${CHROMA_TOKEN_FILE:-}" ]; then
  IFS= read -r token < "$CHROMA_TOKEN_FILE" || true
else
  token=${CHROMA_TOKEN:-}
fi
# Letters, digits and . _ ~ + / = - only: nothing nginx would read as a variable or an escape, and
# nothing chromadb's client refuses to send.
if ! [[ "$token" =~ ^[A-Za-z0-9._~+/=-]{16,}$ ]]; then
  echo "set CHROMA_TOKEN_FILE (or CHROMA_TOKEN) to a token of at least 16 letters, digits or ._~+/=- :" >&2
  echo "  generate one with: openssl rand -hex 32" >&2
  exit 2
fi

nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
  echo "nginx is not installed: run scripts/install-nginx.sh as root (Debian's nginx)" >&2
  exit 1
fi

mkdir -p "$folder/tmp"
folder=$(cd "$folder" && pwd)
umask 077
cat > "$folder/nginx.conf" <<CONF
# Written by scripts/chroma-with-token.sh: it holds the token, keep it mode 600.
daemon off;
worker_processes 1;
pid nginx.pid;
error_log stderr;
events { worker_connections 512; }
http {
    access_log access.log;  # the combined format: no request headers, so never the token
    server_tokens off;
    default_type application/json;  # for the refusal below
    # Bodies (upserts of embeddings) and replies stream through, never into temporary files:
    # started as root, nginx's workers may not be allowed into FOLDER. Chroma limits sizes.
    client_max_body_size 0;
    client_body_temp_path tmp/body;  # in FOLDER, not Debian's /var/lib/nginx: no root needed
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;
    proxy_request_buffering off;
    proxy_buffering off;
    proxy_http_version 1.1;
    proxy_read_timeout 300s;
    server {
        listen $listen;
        location = /api/v2/heartbeat {
            proxy_pass http://127.0.0.1:$chroma_port;
        }
        location / {
            if (\$http_x_chroma_token != "$token") {
                add_header WWW-Authenticate 'X-Chroma-Token' always;
                return 401 '{"error":"AuthError","message":"missing or wrong X-Chroma-Token"}\n';
            }
            proxy_set_header X-Chroma-Token "";  # Chroma needs no copy of it
            proxy_set_header Host \$host;
            proxy_pass http://127.0.0.1:$chroma_port;
        }
    }
}
CONF

if $config_only; then
  echo "wrote $folder/nginx.conf; start the proxy with: $nginx -p $folder -c nginx.conf -e stderr"
  exit 0
fi
echo "token proxy on $listen -> Chroma on 127.0.0.1:$chroma_port (Ctrl-C stops it)" >&2
exec "$nginx" -p "$folder" -c nginx.conf -e stderr

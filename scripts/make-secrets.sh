#!/usr/bin/env bash
# The secrets docker-compose.yml mounts (docs/deployment.md): random API keys for Qdrant and
# vLLM, and the hash of the UI's password (asked here, never stored). Files in ./secrets
# (or $LUATQA_SECRETS), readable by their owner only; existing files are kept.
set -euo pipefail
dir="${LUATQA_SECRETS:-./secrets}"
mkdir -p "$dir"
chmod 700 "$dir"
umask 077
for key in qdrant_api_key vllm_api_key; do
  [ -s "$dir/$key" ] || python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$dir/$key"
done
if [ ! -s "$dir/ui_password_hash" ]; then
  luatqa auth hash-password > "$dir/ui_password_hash"
fi
echo "secrets in $dir: $(ls "$dir" | tr '\n' ' ')"

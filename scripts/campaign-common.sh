# Shared by the campaign scripts (sourced, not run): the built CLI, a scratch folder ($1 or a new one),
# a hermetic environment and the backend (BACKEND, default wasm: the same bytes on every machine).
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN="$ROOT/bin/lca.js"
T=${1:-$(mktemp -d)}
mkdir -p "$T"
export CI=true
unset LCA_DATA_DIR
BACKEND=${BACKEND:-wasm}
lca() { node "$BIN" "$@"; }
echo "scratch folder: $T" >&2

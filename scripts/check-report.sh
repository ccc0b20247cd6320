#!/usr/bin/env bash
# Opens an `lca report` HTML file in headless Debian chromium with the network cut off and fails on
# any console error, uncaught exception or network request; says so (exit 3) when chromium is absent.
# Usage: scripts/check-report.sh report.html
set -euo pipefail
file=${1:?usage: scripts/check-report.sh REPORT.html}
[ -f "$file" ] || { echo "check-report: $file: no such file" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
  echo "check-report: chromium NOT FOUND, nothing checked (apt-get install -y chromium)" >&2
  exit 3
fi
profile=$(mktemp -d)
log="$profile/console.log"
trap 'rm -rf "$profile"' EXIT
url="file://$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
# --enable-logging=stderr --v=0 prints every console message as `CONSOLE(...)` / `Uncaught ...`;
# the proxy to a closed port makes any http(s) request fail loudly instead of succeeding quietly.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --user-data-dir="$profile" \
  --proxy-server='http://127.0.0.1:9' --enable-logging=stderr --v=0 --log-net-log="$profile/net.json" \
  --virtual-time-budget=15000 --dump-dom "$url" > "$profile/dom.html" 2> "$log" || {
  echo "check-report: chromium failed on $file:" >&2; tail -20 "$log" >&2; exit 1; }
errors=$(grep -E 'CONSOLE\(|CONSOLE:|Uncaught|net::ERR_' "$log" || true)
# Every URL the network stack saw, less chromium's own background calls (Google update, time, accounts,
# spell-check dictionary), which the dead proxy stops anyway; anything left came from the page.
requests=$(grep -oE '"url":"https?://[^"]*"' "$profile/net.json" 2>/dev/null | sort -u \
  | grep -vE '://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gvt1\.com|gstatic\.com)/' || true)
[ -n "$requests" ] && errors="$errors"$'\n'"network requests: $requests"
if [ -n "$errors" ]; then
  echo "check-report: $file: console errors or network requests:" >&2
  echo "$errors" >&2
  exit 1
fi
live=$(grep -c 'class="marks"' "$profile/dom.html" || true)
figures=$(grep -o '<figure>' "$profile/dom.html" | wc -l)
echo "check-report: $file: no console errors, no network requests; $figures figures, $live SVG views in the rendered page"

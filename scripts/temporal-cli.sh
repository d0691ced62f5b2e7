#!/usr/bin/env bash
# Ensures the Temporal CLI (dev server + Web UI) is available and prints its path.
# Uses a `temporal` on PATH when it is the pinned version; otherwise builds it from
# source with Go into .tools/bin (idempotent: a second run is instant).
set -euo pipefail

# The one place the version is pinned. v1.5.1 is the newest release that `go install`
# accepts (later tags carry a local `replace` directive); it bundles server 1.29 and UI 2.42.
TEMPORAL_CLI_VERSION="1.5.1"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin_dir="$root/.tools/bin"
local_bin="$bin_dir/temporal"

version_of() { "$1" --version 2>/dev/null | head -n1 | sed -nE 's/.*version ([0-9][0-9.]*).*/\1/p'; }

if [ -x "$local_bin" ] && [ "$(version_of "$local_bin")" = "$TEMPORAL_CLI_VERSION" ]; then
  echo "$local_bin"; exit 0
fi
if on_path="$(command -v temporal 2>/dev/null)" && [ "$(version_of "$on_path")" = "$TEMPORAL_CLI_VERSION" ]; then
  echo "$on_path"; exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Relay needs the Temporal CLI $TEMPORAL_CLI_VERSION: install Go (https://go.dev/dl) so it can be built," >&2
  echo "or put temporal $TEMPORAL_CLI_VERSION on PATH, or set TEMPORAL_ADDRESS to an existing cluster." >&2
  exit 1
fi

echo "Building Temporal CLI v$TEMPORAL_CLI_VERSION with $(go version | awk '{print $3}') into .tools/bin" >&2
echo "(first build downloads modules and compiles for several minutes; later runs reuse Go's caches)" >&2
mkdir -p "$bin_dir"
CGO_ENABLED=0 GOBIN="$bin_dir" go install -trimpath \
  -ldflags "-s -w -X github.com/temporalio/cli/temporalcli.Version=$TEMPORAL_CLI_VERSION" \
  "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION" >&2
echo "Built $(version_of "$local_bin" || true) at $local_bin" >&2
echo "$local_bin"

#!/usr/bin/env bash
# The real control plane for Porthole's e2e tests: upstream kube-apiserver (built from the Go module proxy) plus
# our fixture (embedded etcd, a JWT issuer, a fake node whose kubelet runs local processes, the missing controllers).
#
#   run.sh build                    build both binaries into .build/bin (incremental; prints the time taken)
#   run.sh start                    build, then start in the background; waits for .build/state/ready.json
#   run.sh stop                     stop it and remove the state directory (KEEP_STATE=1 keeps it)
#   run.sh status                   exit 0 when a started harness is ready
#   run.sh regen-replaces VERSION   point go.mod at k8s.io/kubernetes VERSION (e.g. v1.34.10) and regenerate the
#                                   replace list of its staging modules from upstream's own go.mod
#
# Environment: HARNESS_DIR (default: .build next to this script), GOFLAGS_EXTRA (e.g. -p=1 on a busy machine),
# PODS_FILE (default: the local cluster's server/local-cluster/pods.yaml, so both clusters run the same pods),
# HARNESS_STATE (default: $HARNESS_DIR/state; the test helper gives each test run its own, so runs can overlap).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
build_dir="${HARNESS_DIR:-$here/.build}"
bin_dir="$build_dir/bin"
state="${HARNESS_STATE:-$build_dir/state}"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then PATH="$PATH:/usr/local/go/bin"; fi
need_go() {
  command -v go >/dev/null 2>&1 || { echo "run.sh: Go is not installed (no go in PATH or /usr/local/go/bin)" >&2; exit 3; }
}
# Never download a toolchain because some dependency's go line asks for one; release builds are static.
export GOTOOLCHAIN=local CGO_ENABLED=0
export NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"
goflags=(-trimpath -modcacherw ${GOFLAGS_EXTRA:-})

k8s_version() { need_go; go list -m -f '{{.Version}}' k8s.io/kubernetes; }

regen_replaces() {
  local version="${1:?usage: run.sh regen-replaces vX.Y.Z}"
  local minor_patch="${version#v1.}"
  local staging_version="v0.${minor_patch}"
  local info upstream_mod
  info="$(go mod download -json "k8s.io/kubernetes@$version" 2>&1)" || true
  upstream_mod="$(sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p' <<<"$info")"
  [ -f "$upstream_mod" ] || { echo "cannot download k8s.io/kubernetes@$version from the Go module proxy:" >&2; echo "$info" >&2; exit 1; }
  # k8s.io/kubernetes requires its staging modules at the fake version v0.0.0 and replaces each with
  # ./staging/src/k8s.io/<name>; a consumer must replace every one of them with the published tag of the release.
  local staging
  staging="$(awk '$2 == "=>" && $3 ~ /^\.\/staging\// {print $1}' "$upstream_mod" | sort -u)"
  local go_line godebug_line
  go_line="$(awk '$1 == "go" {print $2; exit}' "$upstream_mod")"
  godebug_line="$(awk '$1 == "godebug" {print $2; exit}' "$upstream_mod")"
  # Drop every old k8s.io replace, then add the new ones.
  go mod edit -json | sed -n 's/.*"Path": "\(k8s\.io\/[a-z0-9-]*\)".*/\1/p' | sort -u | while read -r old; do
    go mod edit -dropreplace="$old"
  done
  local edits=(-require="k8s.io/kubernetes@$version" -go="$go_line")
  [ -n "$godebug_line" ] && edits+=(-godebug="$godebug_line")
  for module in $staging; do edits+=(-replace="$module=$module@$staging_version"); done
  go mod edit "${edits[@]}"
  echo "go.mod: k8s.io/kubernetes $version, go $go_line${godebug_line:+, godebug $godebug_line}," \
    "$(echo "$staging" | wc -w) staging replaces at $staging_version; now run: go mod tidy" >&2
}

build() {
  mkdir -p "$bin_dir"
  local version minor started
  version="$(k8s_version)"
  minor="${version#v1.}"
  minor="${minor%%.*}"
  # A fixed version stamp (no build date) so an unchanged tree relinks nothing.
  local ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  started=$(date +%s)
  echo "building kube-apiserver $version and the fixture (first build: ~10-20 min on 2 cores) ..." >&2
  nice -n 10 go build "${goflags[@]}" -ldflags "$ldflags" -o "$bin_dir/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
  nice -n 10 go build "${goflags[@]}" -ldflags "$ldflags" -o "$bin_dir/fixture" ./cmd/fixture
  echo "build done in $(($(date +%s) - started)) s" >&2
}

is_ready() { [ -f "$state/ready.json" ] && [ -f "$state/fixture.pid" ] && kill -0 "$(cat "$state/fixture.pid")" 2>/dev/null; }

stop() {
  if [ -f "$state/fixture.pid" ]; then
    local pid
    pid="$(cat "$state/fixture.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      # The fixture leads its own process group (setsid): anything left over goes with it.
      kill -KILL -- "-$pid" 2>/dev/null || true
    fi
  fi
  if [ "${KEEP_STATE:-}" != 1 ]; then rm -rf "$state"; fi
}

start() {
  if is_ready; then echo "already running: export KUBECONFIG=$state/kubeconfig" >&2; return 0; fi
  stop
  build
  # Free ports are picked by binding port 0 and closing it; another process can take one in between. Retry once.
  if ! launch; then
    if grep -q 'address already in use' "$state"/logs/*.log 2>/dev/null; then
      echo "a port was taken while starting; retrying once" >&2
      stop
      launch && return 0
    fi
    echo "the harness did not become ready; last lines of its logs (all kept in $build_dir/failed-start/):" >&2
    tail -n 40 "$state/logs/fixture.log" >&2 || true
    tail -n 40 "$state/logs/kube-apiserver.log" >&2 2>/dev/null || true
    rm -rf "$build_dir/failed-start" && cp -r "$state/logs" "$build_dir/failed-start" || true
    stop
    exit 1
  fi
}

launch() {
  mkdir -p "$state/logs"
  local started
  started=$(date +%s%N)
  # The same pods as Porthole's local cluster, so a test can be pointed at either.
  local pods_file="${PODS_FILE:-$here/../../server/local-cluster/pods.yaml}"
  local pods_flag=()
  [ -f "$pods_file" ] && pods_flag=(--pods "$pods_file")
  setsid "$bin_dir/fixture" --state "$state" --apiserver "$bin_dir/kube-apiserver" --k8s-version "$(k8s_version)" \
    "${pods_flag[@]}" >"$state/logs/fixture.log" 2>&1 </dev/null &
  echo $! >"$state/fixture.pid"
  # Up to 5 minutes: longer than the fixture's own deadlines, so it can say what it was waiting for.
  for _ in $(seq 1 600); do
    if [ -f "$state/ready.json" ]; then
      echo "ready in $((($(date +%s%N) - started) / 1000000)) ms" >&2
      echo "export KUBECONFIG=$state/kubeconfig"
      return 0
    fi
    if ! kill -0 "$(cat "$state/fixture.pid")" 2>/dev/null; then return 1; fi
    sleep 0.5
  done
  return 1
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) is_ready ;;
  regen-replaces) regen_replaces "${2:-}" ;;
  *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac

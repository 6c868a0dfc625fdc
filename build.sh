#!/usr/bin/env bash
# Cashback Guard build script. See README.md.
#   ./build.sh          install what is missing, build dist/extension/ and the store zip
#   ./build.sh test     native tests, wasm tests in headless Chromium, end-to-end suites
#                       (Chromium; Firefox ESR with uBlock Origin), addons-linter
#   ./build.sh demo     build, start the demo store, open Chromium with the extension
#   ./build.sh bench    benchmarks (BENCH_ONLY=cold: only the worker cold start, several runs)
#   ./build.sh fuzz [TARGET...]  each cargo-fuzz target for FUZZ_SECONDS (60) seconds
# CASHBACK_CONFIG=/path/config.json bakes another operator config into dist/extension/.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
DIST=$ROOT/dist
EXT_OUT=$DIST/extension
FF_OUT=$DIST/extension-firefox
FUZZ_DIR=tests/fuzz
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export FIREFOX=${FIREFOX:-/usr/bin/firefox-esr}
export GECKODRIVER=${GECKODRIVER:-$HOME/.cargo/bin/geckodriver}
export UBLOCK_DIR=${UBLOCK_DIR:-/usr/share/mozilla/extensions/{ec8030f7-c20a-464f-9b0e-13a3a9e97384\}/uBlock0@raymondhill.net}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-60}
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (run as root or install sudo)"
  fi
}

APT_UPDATED=0
apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    as_root apt-get update -qq || die "apt-get update failed (no access to the Debian mirror?)"
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null || die "apt-get install $* failed"
}

wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_tools() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs), then rerun"
  command -v cc >/dev/null || apt_install build-essential
  command -v pkg-config >/dev/null || apt_install pkg-config
  [ -f /usr/include/openssl/ssl.h ] || apt_install libssl-dev
  command -v openssl >/dev/null || apt_install openssl
  command -v python3 >/dev/null || apt_install python3
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown || die "could not add the wasm32-unknown-unknown target"
  fi
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want have
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "could not read the wasm-bindgen version from Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "cargo install wasm-bindgen-cli $want (about 5 minutes)"
    # --locked first; its lock file pins crates a mirror may lack, so retry resolving anew.
    cargo install -q wasm-bindgen-cli --version "=$want" --locked --force 2>/dev/null ||
      cargo install -q wasm-bindgen-cli --version "=$want" --force ||
      die "could not install wasm-bindgen-cli $want"
  fi
  if ! command -v wasm-pack >/dev/null; then
    say "cargo install wasm-pack"
    cargo install -q wasm-pack --locked || cargo install -q wasm-pack || die "could not install wasm-pack"
  fi
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
}

ensure_browser() {
  [ -x "$CHROMIUM" ] && [ -x "$CHROMEDRIVER" ] || apt_install chromium chromium-driver
  [ -x "$CHROMIUM" ] || die "$CHROMIUM missing after installing chromium"
}

# Firefox ESR and uBlock Origin from Debian; geckodriver from crates.io (no prebuilt binaries).
ensure_firefox() {
  [ -x "$FIREFOX" ] && [ -f "$UBLOCK_DIR/manifest.json" ] || apt_install firefox-esr webext-ublock-origin-firefox
  [ -x "$FIREFOX" ] || die "$FIREFOX missing after installing firefox-esr"
  if [ ! -x "$GECKODRIVER" ]; then
    say "cargo install geckodriver (a few minutes)"
    cargo install -q geckodriver --locked || cargo install -q geckodriver || die "could not install geckodriver"
  fi
}

# addons-linter (npm, tests/e2e) on the Firefox zip: one test, failed on any error.
lint_firefox() {
  local zip out
  zip=$(ls "$DIST"/cashback-guard-*-firefox.zip | head -1)
  out=$(mktemp)
  (cd tests/e2e && node_modules/.bin/addons-linter --output json "$zip" >"$out") || true
  python3 - "$out" "$zip" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for kind in ("errors", "warnings", "notices"):
    for m in r.get(kind, []):
        print(f"# {kind[:-1]}: {m.get('code')} {m.get('file') or ''}: {m.get('description') or m.get('message')}")
ok = len(r.get("errors", [])) == 0
print(f"{'ok' if ok else 'not ok'} 1 - addons-linter {sys.argv[2].rsplit('/', 1)[-1]}: "
      f"{len(r.get('errors', []))} errors, {len(r.get('warnings', []))} warnings, {len(r.get('notices', []))} notices")
print(f"# pass {1 if ok else 0}\n# fail {0 if ok else 1}")
PY
  rm -f "$out"
}

e2e_firefox() { (cd tests/e2e && node --test --test-concurrency=1 --test-reporter=tap ./firefox/*.test.js); }

ensure_e2e_deps() {
  local dir=$ROOT/tests/e2e
  if [ ! -d "$dir/node_modules/playwright-core" ] || [ ! -d "$dir/node_modules/selenium-webdriver" ] || [ ! -d "$dir/node_modules/addons-linter" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci (tests/e2e)"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error) || die "npm ci in tests/e2e failed"
  fi
}

build() {
  ensure_tools
  local cfg=${CASHBACK_CONFIG:-$ROOT/extension/config/default.json}
  say "validating config $cfg"
  cargo run -q --bin cg-config -- "$cfg" "$ROOT/extension/layouts/layouts.json" || die "config rejected: $cfg"
  say "cargo build (wasm32, release)"
  # Panic locations of crates.io code name their source files: cut the registry path to
  # `crates/` so the wasm does not depend on where cargo lives (and is 29 B gzip smaller).
  local remap="" d
  for d in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do remap+="--remap-path-prefix=${d%/}=crates "; done
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="${remap% }" cargo build -q --lib --release --target wasm32-unknown-unknown
  rm -rf "$EXT_OUT"
  mkdir -p "$EXT_OUT/pkg"
  wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --experimental-reset-state-function \
    --out-dir "$EXT_OUT/pkg" --out-name cashback_guard \
    target/wasm32-unknown-unknown/release/cashback_guard.wasm
  # The manifest as the config needs it (externally_connectable for the account site).
  cargo run -q --bin cg-config -- "$cfg" --manifest manifest.json "$EXT_OUT/manifest.json" >/dev/null || die "could not write the manifest"
  cp -r extension/background extension/inject extension/ui extension/icons extension/_locales "$EXT_OUT/"
  # The config, catalogs, layouts, banner CSS and registry as one module the worker imports
  # (no fetch at a cold start); the e2e harness makes its config variants with the same call.
  cargo run -q --bin cg-config -- "$cfg" --data "$ROOT/extension" "$EXT_OUT/background/data.js" >/dev/null ||
    die "could not write the worker's data module"
  rm -f "$EXT_OUT/inject/account-relay.js" # Firefox only (its manifest lists it for the account site)
  local version zip
  version=$(python3 -c 'import json;print(json.load(open("manifest.json"))["version"])')
  zip=$DIST/cashback-guard-$version.zip
  rm -f "$zip"
  # The store package is made from a copy whose manifest has no `key` (the store assigns the
  # id and refuses an upload carrying one); dist/extension keeps it for the fixed dev id.
  local store=$DIST/.store-package
  rm -rf "$store"
  cp -r "$EXT_OUT" "$store"
  python3 - "$store/manifest.json" <<'PY' || die "could not write the store manifest"
import json, sys
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    manifest = json.load(f)
manifest.pop("key", None)
with open(path, "w", encoding="utf-8") as f:
    json.dump(manifest, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
  (cd "$store" && python3 -m zipfile -c "$zip" ./*)
  rm -rf "$store"
  # Firefox: the same files; the manifest from the same source by the same generator.
  local ffzip=$DIST/cashback-guard-$version-firefox.zip
  rm -rf "$FF_OUT" "$ffzip"
  cp -r "$EXT_OUT" "$FF_OUT"
  cp extension/inject/account-relay.js "$FF_OUT/inject/"
  cargo run -q --bin cg-config -- "$cfg" --manifest manifest.json "$FF_OUT/manifest.json" --browser firefox >/dev/null ||
    die "could not write the Firefox manifest"
  (cd "$FF_OUT" && python3 -m zipfile -c "$ffzip" ./*)
  local wasm=$EXT_OUT/pkg/cashback_guard_bg.wasm
  printf '\n%-34s %10s %10s\n' "artifact" "bytes" "gzip -c"
  for f in "$wasm" "$EXT_OUT/pkg/cashback_guard.js" "$EXT_OUT/inject/content.js" "$EXT_OUT/background/worker.js"; do
    printf '%-34s %10d %10d\n' "${f#"$DIST"/}" "$(stat -c %s "$f")" "$(gzip -c "$f" | wc -c)"
  done
  printf '%-34s %10d\n' "${zip#"$DIST"/}" "$(stat -c %s "$zip")"
  printf '%-34s %10d\n' "${ffzip#"$DIST"/}" "$(stat -c %s "$ffzip")"
  echo "unpacked extension: $EXT_OUT (wasm budget: 153600 bytes gzip)" >&2
}

# Sums "N passed / N failed" over the layers.
PASSED=0
FAILED=0
SKIPPED=0
count() { PASSED=$((PASSED + $1)); FAILED=$((FAILED + $2)); SKIPPED=$((SKIPPED + ${3:-0})); }

# run_layer NAME FORMAT CMD...: runs one test layer, tees its output, adds its counts.
# FORMAT is `cargo` ("N passed; N failed" lines) or `tap` ("# pass N" / "# fail N").
run_layer() {
  local name=$1 format=$2 log rc=0 p f s=0
  shift 2
  say "$name"
  log=$(mktemp)
  "$@" 2>&1 | tee "$log" || rc=$?
  if [ "$format" = tap ]; then
    p=$(grep -E '^# pass ' "$log" | awk '{s+=$3} END {print s+0}')
    f=$(grep -E '^# fail ' "$log" | awk '{s+=$3} END {print s+0}')
    s=$(grep -E '^# skipped ' "$log" | awk '{s+=$3} END {print s+0}' || true) # (no skipped line: grep fails under pipefail)
  else
    p=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
  fi
  if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "$name: did not run (exit $rc)" >&2; fi
  count "$p" "$f" "$s"
  rm -f "$log"
}

# Layer 2 in Chromium, as the contract says. wasm-bindgen's runner picks the browser from the
# driver variables and prefers $GECKODRIVER (exported above for the Firefox layer), so it is
# unset here, and the layer fails if the runner still says it ran another browser.
wasm_tests_in_chrome() {
  local out rc=0
  out=$(env -u GECKODRIVER -u SAFARIDRIVER wasm-pack test --headless --chrome --chromedriver "$CHROMEDRIVER" \
    --mode no-install -- --test browser 2>&1) || rc=$?
  printf '%s\n' "$out"
  if ! grep -q 'Running headless tests in Chrome' <<<"$out"; then
    echo "layer 2 did not run in Chrome (the wasm-bindgen runner chose another browser)" >&2
    echo "1 failed"
    return 1
  fi
  return "$rc"
}

FUZZ_TARGETS=(url_referral cookies price messages differential_url differential_json)

ensure_cargo_fuzz() {
  command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs), then rerun"
  command -v c++ >/dev/null || apt_install build-essential
  if ! cargo fuzz --version >/dev/null 2>&1; then
    say "cargo install cargo-fuzz"
    cargo install -q cargo-fuzz --locked || cargo install -q cargo-fuzz || die "could not install cargo-fuzz"
  fi
}

# fuzz [TARGET...]: runs each target for FUZZ_SECONDS on a working corpus ($FUZZ_DIR/corpus/,
# seeded from the committed $FUZZ_DIR/seeds/, kept between runs), then prints a table of
# executions and crashes. Crash inputs and full logs land in $FUZZ_DIR/artifacts/.
fuzz() {
  local secs=${FUZZ_SECONDS:-60} san=${FUZZ_SANITIZER:-address} t log stamp rc execs took crashes rows=() failed=0
  [ "$#" -gt 0 ] || set -- "${FUZZ_TARGETS[@]}"
  for t in "$@"; do
    [ -d "$FUZZ_DIR/seeds/$t" ] || die "unknown fuzz target '$t' (targets: ${FUZZ_TARGETS[*]})"
  done
  ensure_cargo_fuzz
  # cargo-fuzz passes -Z flags (sanitizer, coverage); stable rustc takes them with this.
  export RUSTC_BOOTSTRAP=1
  say "cargo fuzz build (sanitizer: $san)"
  for t in "$@"; do
    cargo fuzz build --fuzz-dir "$FUZZ_DIR" --sanitizer "$san" "$t" || die "cargo fuzz build $t failed"
  done
  for t in "$@"; do
    mkdir -p "$FUZZ_DIR/corpus/$t" "$FUZZ_DIR/artifacts/$t"
    cp "$FUZZ_DIR/seeds/$t"/* "$FUZZ_DIR/corpus/$t/" # names are content hashes
    log=$FUZZ_DIR/artifacts/$t.log
    stamp=$(mktemp)
    say "fuzz $t for ${secs}s"
    rc=0
    cargo fuzz run --fuzz-dir "$FUZZ_DIR" --sanitizer "$san" "$t" "$FUZZ_DIR/corpus/$t" -- \
      -max_total_time="$secs" -timeout=10 -print_final_stats=1 >"$log" 2>&1 || rc=$?
    execs=$(awk '/^stat::number_of_executed_units:/ { n = $2 } END { print n }' "$log")
    [ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true)
    took=$(sed -nE 's/^Done [0-9]+ runs in ([0-9]+) second.*/\1/p' "$log" | tail -1)
    crashes=$(find "$FUZZ_DIR/artifacts/$t" -newer "$stamp" -type f \
      \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then crashes=1; fi
    if [ "$crashes" != 0 ]; then
      failed=1
      tail -n 40 "$log" >&2
      echo "fuzz $t: exit $rc, full log $log, inputs in $FUZZ_DIR/artifacts/$t/" >&2
    else
      grep -E '^#[0-9]+[[:space:]]+DONE' "$log" >&2 || true
    fi
    rows+=("| $t | ${took:-$secs} | ${execs:-0} | $crashes |")
    rm -f "$stamp"
  done
  printf '\n| target | seconds | executions | crashes |\n|---|---:|---:|---:|\n'
  printf '%s\n' "${rows[@]}"
  [ "$failed" = 0 ]
}

e2e_suite() { (cd tests/e2e && node --test --test-concurrency=1 --test-reporter=tap ./*.test.js); }

cmd=${1:-build}
case "$cmd" in
  build)
    build
    ;;
  test)
    build
    ensure_browser
    ensure_e2e_deps
    run_layer "layer 1: native cargo test" cargo cargo test --lib --bins --test alloc --test price_differential
    run_layer "layer 2: wasm-pack test --headless --chrome" cargo wasm_tests_in_chrome
    run_layer "layer 3: end-to-end (tests/e2e, real Chromium)" tap e2e_suite
    run_layer "layer 4: addons-linter (Firefox package)" tap lint_firefox
    ensure_firefox
    run_layer "layer 5: end-to-end in real Firefox ESR (tests/e2e/firefox)" tap e2e_firefox
    if [ "$SKIPPED" -gt 0 ]; then echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"; else echo "$PASSED passed, $FAILED failed"; fi
    [ "$FAILED" = 0 ]
    ;;
  demo)
    build
    ensure_browser
    ensure_e2e_deps
    node tests/e2e/demo.js
    ;;
  bench)
    # BENCH_ONLY=core: only Rust vs JS core throughput, in BENCH_CORE_ROUNDS rounds (no browser).
    [ "${BENCH_ONLY:-}" = core ] && exec node tests/e2e/core-bench.js
    build
    ensure_browser
    ensure_e2e_deps
    if [ "${BENCH_ONLY:-}" = cold ]; then # only the worker cold start (tests/e2e/bench-cold.js)
      node tests/e2e/bench-cold.js
      exit
    fi
    native='{}'
    if [ "${BENCH_ONLY:-}" != content ]; then # BENCH_ONLY=content: the content-script rows only
    say "native throughput (criterion: cargo bench --bench core)"
    # Benches always unwind while the release profile (inherited by `bench`) aborts: the bins
    # built beside the bench (cg-config) then get a second, abort copy of serde_json/serde_core
    # and rustc mixes the two up. One strategy for the whole bench build avoids that.
    CARGO_PROFILE_RELEASE_PANIC=unwind cargo bench -q --bench core >&2 || die "cargo bench --bench core failed"
    # criterion's median per iteration, divided by the items an iteration handles.
    native=$(python3 - <<'PY'
import json
def per_op(name):
    d = f"target/criterion/core/{name}/new/"
    median = json.load(open(d + "estimates.json"))["median"]["point_estimate"]
    n = json.load(open(d + "benchmark.json"))["throughput"]["Elements"]
    return median / n, n
u, nu = per_op("url_classify")
p, np_ = per_op("price_parse")
print(json.dumps({"url_classify_ns": u, "price_parse_ns": p, "urls": nu, "prices": np_}))
PY
)
    fi
    say "browser figures (tests/e2e/bench.js)"
    node tests/e2e/bench.js "$native"
    ;;
  fuzz)
    shift
    fuzz "$@"
    ;;
  *)
    die "unknown command '$cmd' (use: build, test, demo, bench, fuzz)"
    ;;
esac

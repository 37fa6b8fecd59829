#!/usr/bin/env bash
# Fetch the web panel's third-party files from the npm registry (`npm pack`,
# exact versions) and copy the built files with their licences into
# inventory_api/panel/static/vendor/<pkg>/ (axe-core, used only by the browser
# tests, goes to tests/e2e/vendor/axe-core/). Run from anywhere; needs npm.
#
# The panel has no build step and its CSP allows no inline import map, so the
# ES modules' bare imports ("preact", "htm") are rewritten to relative paths
# here; source-map comments are dropped (the maps are not shipped). Nothing
# else in the files is changed. Record a version change in
# inventory_api/panel/static/vendor/README.md and bump CACHE in
# inventory_api/panel/static/sw.js.
set -euo pipefail

PREACT=11.2.0
HTM=3.1.1
PICO=2.1.1
CHARTJS=4.6.1
AXE=4.14.1

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/inventory_api/panel/static/vendor"
axe_dir="$root/tests/e2e/vendor/axe-core"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

unpack() {  # unpack <spec> <dir>: npm pack the exact version into $work/<dir>
    (cd "$work" && npm pack --silent "$1" >/dev/null)
    mkdir -p "$work/$2"
    tar xzf "$work"/"$(cd "$work" && ls -t ./*.tgz | head -1)" -C "$work/$2" --strip-components=1
    rm -f "$work"/*.tgz
}

strip_map() {  # drop a trailing //# sourceMappingURL=... line
    sed -i '/^\/\/# sourceMappingURL=/d' "$1"
}

unpack "preact@$PREACT" preact
unpack "htm@$HTM" htm
unpack "@picocss/pico@$PICO" pico
unpack "chart.js@$CHARTJS" chartjs
unpack "axe-core@$AXE" axe

rm -rf "$vendor/preact" "$vendor/htm" "$vendor/pico" "$vendor/chart.js" "$axe_dir"
mkdir -p "$vendor/preact" "$vendor/htm" "$vendor/pico" "$vendor/chart.js" "$axe_dir"

cp "$work/preact/dist/preact.mjs" "$vendor/preact/preact.mjs"
sed 's#from"preact"#from"./preact.mjs"#g' "$work/preact/hooks/dist/hooks.mjs" \
    > "$vendor/preact/hooks.mjs"
cp "$work/preact/LICENSE" "$vendor/preact/LICENSE"

cp "$work/htm/dist/htm.mjs" "$vendor/htm/htm.mjs"
sed -e 's#from"preact"#from"../preact/preact.mjs"#g' -e 's#from"htm"#from"./htm.mjs"#g' \
    "$work/htm/preact/index.mjs" > "$vendor/htm/preact.mjs"
cp "$work/htm/LICENSE" "$vendor/htm/LICENSE"

cp "$work/pico/css/pico.min.css" "$vendor/pico/pico.min.css"
cp "$work/pico/LICENSE.md" "$vendor/pico/LICENSE.md"

cp "$work/chartjs/dist/chart.umd.min.js" "$vendor/chart.js/chart.umd.min.js"
cp "$work/chartjs/LICENSE.md" "$vendor/chart.js/LICENSE.md"

cp "$work/axe/axe.min.js" "$axe_dir/axe.min.js"
cp "$work/axe/LICENSE" "$axe_dir/LICENSE"

for file in "$vendor"/preact/*.mjs "$vendor"/htm/*.mjs "$vendor/chart.js/chart.umd.min.js" \
            "$vendor/pico/pico.min.css"; do
    strip_map "$file"
done
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$vendor/pico/pico.min.css"

if grep -l 'from *"\(preact\|htm\)"' "$vendor"/preact/*.mjs "$vendor"/htm/*.mjs; then
    echo "vendor-panel: a bare import is left in the files above" >&2
    exit 1
fi
echo "vendor-panel: preact $PREACT, htm $HTM, pico $PICO, chart.js $CHARTJS, axe-core $AXE"

#!/bin/sh
# Regenerates the seed corpora of the fuzz targets from examples/ (the seeds
# are not committed). Run from anywhere; writes fuzz/corpus/<target>/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus"
mkdir -p "$corpus/load_yaml" "$corpus/load_toml" "$corpus/interpolate"
for f in "$root"/examples/*/*.yaml "$root"/examples/*/*.yml; do
    [ -f "$f" ] && cp "$f" "$corpus/load_yaml/$(basename "$f")"
done
for f in "$root"/examples/*/*.toml; do
    [ -f "$f" ] && cp "$f" "$corpus/load_toml/$(basename "$f")"
done
# Interpolation seeds: every string of the examples that holds a `$`, one per
# file, and a few hand-written edge cases.
i=0
grep -rhoE '\$[^"'"'"' ]*' "$root/examples" | sort -u | while IFS= read -r line; do
    i=$((i + 1))
    printf '%s' "$line" > "$corpus/interpolate/example-$i"
done
printf '%s' 'x${A}y ${NOPE:-fallback} $$5 pa$word' > "$corpus/interpolate/mixed"
printf '%s' '${' > "$corpus/interpolate/unterminated"
printf '%s' '$${A}' > "$corpus/interpolate/escaped"
echo "seeded: $(ls "$corpus/load_yaml" | wc -l) yaml, $(ls "$corpus/load_toml" | wc -l) toml, $(ls "$corpus/interpolate" | wc -l) interpolate"

#!/bin/sh
# keep-corpus.sh TARGET DIR [N] — picks at most N (default 40) inputs of DIR
# that together cover what all of DIR covers, greedily (the input adding the
# most new edges first), and puts them in tests/fuzz/corpus/TARGET/ in place
# of what was there.  Coverage per input comes from libFuzzer's merge
# control file, one input at a time.  Run `make fuzz` first.  Inputs that
# crash or trip a sanitizer are left out (they belong in tests/fuzz/regress/).
set -eu
t=$1 dir=$2 n=${3:-40}
bin=build-fuzz/$t
out=tests/fuzz/corpus/$t
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/cov"
for f in "$dir"/*; do
    [ -f "$f" ] || continue
    "$bin" -rss_limit_mb=1024 -timeout=10 "$f" > /dev/null 2>&1 || continue
    b=$(basename "$f")
    rm -rf "$tmp/in" "$tmp/out"
    mkdir "$tmp/in" "$tmp/out"
    cp "$f" "$tmp/in/"
    "$bin" -merge=1 -use_counters=0 -merge_control_file="$tmp/cov/$b" \
        "$tmp/out" "$tmp/in" > /dev/null 2>&1 || rm -f "$tmp/cov/$b"
done
keep=$(for c in "$tmp"/cov/*; do
           printf '%s' "$(basename "$c")"
           awk '$1 == "COV" { for (i = 3; i <= NF; i++) printf " %s", $i }' "$c"
           echo
       done | awk -v n="$n" '
    { name[NR] = $1; for (i = 2; i <= NF; i++) has[NR, $i] = 1; cnt[NR] = NF - 1
      for (i = 2; i <= NF; i++) edges[NR] = edges[NR] " " $i }
    END {
        for (k = 0; k < n; k++) {
            best = 0; gain = 0
            for (r = 1; r <= NR; r++) {
                if (taken[r]) continue
                g = 0; m = split(edges[r], e, " ")
                for (i = 1; i <= m; i++) if (!(e[i] in got)) g++
                if (g > gain) { gain = g; best = r }
            }
            if (!best) break
            taken[best] = 1; print name[best]
            m = split(edges[best], e, " ")
            for (i = 1; i <= m; i++) got[e[i]] = 1
        }
    }')
mkdir -p "$out"
rm -f "$out"/*
for k in $keep; do cp "$dir/$k" "$out/"; done
echo "$t: kept $(ls "$out" | wc -l) inputs, $(cat "$out"/* | wc -c) bytes"

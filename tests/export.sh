#!/bin/sh
# export.sh — --export (handouts and slides) run for real: every shipped lesson in every format; the SVG well-formed (xmllint); Mermaid's participants and messages against the run's JSON; the txt ladder the same as the view's on screen (tmux) and pure ASCII with --ascii; a lesson with Chinese host names; ranges; the exit-code contract; the HTML page in headless Chromium.
#
#   PROTOSIM=./protosim sh tests/export.sh
#
# The browser part is reported as SKIP (not as passed) only when chromium
# or chromedriver is not installed; CI installs both.
set -u
unset LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8
PROTOSIM=${PROTOSIM:-./protosim}
case $PROTOSIM in
    /*) ;;
    *) PROTOSIM="$(pwd)/$PROTOSIM" ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
cleanup() {
    for s in handshake web-request; do
        tmux -L "protosim-export-$$-$s" kill-server >/dev/null 2>&1
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
skip=0
ok()  { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: export: $*"; }

expect_rc() {   # expect_rc WANT DESCRIPTION -- command...
    want=$1; what=$2; shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else
        bad "$what: exit $rc, wanted $want"; sed 's/^/    /' "$TMP/err" | head -5
    fi
}
has() {   # has FILE REGEX DESCRIPTION
    if grep -q -- "$2" "$1"; then ok; else bad "$3 (no /$2/ in $1)"; head -5 "$1" | sed 's/^/    /'; fi
}

SCENARIOS=$(ls "$HERE"/../scenarios/*.scn | sed 's|.*/||; s|\.scn$||')

# 1. every shipped lesson in every format: exit 0, a whole file; the SVG is
#    well-formed XML, the page fetches nothing, the ladder's --ascii is ASCII
for s in $SCENARIOS; do
    for f in svg html mermaid txt; do
        expect_rc 0 "$s --export $f" -- "$PROTOSIM" --export $f -o "$TMP/$s.$f" "$s"
        [ -s "$TMP/$s.$f" ] && ok || bad "$s.$f is empty"
    done
    if xmllint --noout "$TMP/$s.svg" 2>"$TMP/xml"; then ok; else
        bad "$s.svg is not well-formed XML"; head -3 "$TMP/xml"
    fi
    # the SVG inside the page too (the page is HTML; its SVG is XML)
    sed -n '/^<svg /,/^<\/svg>$/p' "$TMP/$s.html" >"$TMP/inner.svg"
    if xmllint --noout "$TMP/inner.svg" 2>/dev/null; then ok; else bad "$s.html: its SVG is not well-formed"; fi
    # offline: no script, style, image or link from anywhere else
    if grep -Eiq '<(link|img|iframe|object|embed)|src=|href=["'"'"']?(https?:|//)|@import|url\(["'"'"']?(https?:|//)' "$TMP/$s.html"; then
        bad "$s.html refers to something outside the page"
    else ok; fi
    "$PROTOSIM" --json "$s" >"$TMP/$s.json"
    if python3 "$HERE/export_mermaid.py" "$TMP/$s.json" "$TMP/$s.mermaid" \
        "$HERE/../scenarios/$s.scn"; then ok; else bad "$s: Mermaid is not the run"; fi
    "$PROTOSIM" --export txt --ascii "$s" >"$TMP/$s.ascii"
    if LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/$s.ascii"; then
        bad "$s --ascii has bytes above 127"; LC_ALL=C grep -n "$(printf '[\200-\377]')" "$TMP/$s.ascii" | head -3
    else ok; fi
    # the same lesson's ladder: as many body rows as events, two header rows
    n=$(grep -c '^{"id":' "$TMP/$s.json")     # records, not the chapter lines
    rows=$(wc -l <"$TMP/$s.txt")
    [ "$rows" -eq $((n + 2)) ] && ok || bad "$s.txt has $rows lines for $n events"
done

# README's picture is what protosim draws now (after a deliberate change:
# ./protosim --export svg -o docs/handshake.svg handshake)
cmp -s "$TMP/handshake.svg" "$HERE/../docs/handshake.svg" && ok ||
    bad "docs/handshake.svg is not today's --export svg handshake"

# deterministic: the same lesson twice, byte for byte, in every format
for f in svg html mermaid txt; do
    "$PROTOSIM" --export $f web-request >"$TMP/again.$f"
    cmp -s "$TMP/again.$f" "$TMP/web-request.$f" && ok || bad "web-request.$f differs between runs"
done

# 2. the SVG draws what the lesson has: a lifeline per host with its name
#    and address, an arrow per send with its label, drops, states, timers,
#    notes; fonts that have Chinese
svg=$TMP/handshake.svg
[ "$(grep -o 'class="msg"' "$svg" | wc -l)" -eq 3 ] && ok || bad "handshake.svg: 3 arrows"
[ "$(grep -o 'class="life"' "$svg" | wc -l)" -eq 2 ] && ok || bad "handshake.svg: 2 lifelines"
has "$svg" '>client</text>' "handshake.svg: host name"
has "$svg" '>192.0.2.80</text>' "handshake.svg: host address"
has "$svg" '>SYN,ACK seq=5000 ack=1001</text>' "handshake.svg: arrow label"
has "$svg" 'class="state"[^>]*>ESTABLISHED<' "handshake.svg: state change"
has "$svg" '>RTO 1s</text>' "handshake.svg: timer start"
has "$svg" '>RTO stopped</text>' "handshake.svg: timer stop"
has "$svg" "class=\"note\"[^>]*>client sends SYN seq=1000: &#39;I want to talk" "handshake.svg: note, escaped"
has "$svg" "font-family=\"'Noto Sans CJK SC'" "handshake.svg: CJK fonts"
has "$TMP/syn-loss.svg" 'class="dropwhy"[^>]*>dropped (fault)<' "syn-loss.svg: the dropped SYN"
has "$TMP/syn-loss.svg" '>RTO expired</text>' "syn-loss.svg: timer expiry"
has "$TMP/syn-loss.mermaid" '^    P0-xP1: SYN seq=1000 (dropped (fault))$' "syn-loss.mermaid: a lost message"
has "$TMP/arp.mermaid" '(broadcast)$' "arp.mermaid: a broadcast"

# 3. the txt ladder is the view's: the interactive timeline at 100 columns,
#    at its last event, shows the same rows (less the mark of the selected
#    event) as --export txt of the events on its screen
if command -v tmux >/dev/null 2>&1; then
    for s in handshake web-request; do
        SOCK=protosim-export-$$-$s        # a server each: no race with the last one's end
        tmux -L "$SOCK" new-session -d -x 100 -y 40 "env LANG=C.UTF-8 '$PROTOSIM' $s; sleep 30"
        got=
        i=0
        while [ $i -lt 50 ]; do
            tmux -L "$SOCK" capture-pane -p >"$TMP/pane" 2>/dev/null
            grep -q "time" "$TMP/pane" && { got=1; break; }
            sleep 0.1; i=$((i + 1))
        done
        # G: the last event (the key table's END); again if the first key
        # only closed something shown on opening (a lesson card)
        n=$(grep -c '^{"id":' "$TMP/$s.json")     # records, not the chapter lines
        tries=0
        while [ $tries -lt 3 ]; do
            tmux -L "$SOCK" send-keys G
            i=0
            while [ $i -lt 20 ]; do
                tmux -L "$SOCK" capture-pane -p >"$TMP/pane" 2>/dev/null
                grep -q "#$n/$n" "$TMP/pane" && break 2
                sleep 0.1; i=$((i + 1))
            done
            tries=$((tries + 1))
        done
        # the diagram: from the header row ("time" in it) down to the row of
        # the last event (the one with the selection mark)
        awk '/^ *time / && !s { s = 1 } s { print } s && /▸/ { exit }' "$TMP/pane" |
            sed 's/▸/ /; s/ *$//' >"$TMP/view.txt"
        body=$(($(wc -l <"$TMP/view.txt") - 2))
        if [ -z "$got" ] || [ "$body" -lt 1 ]; then
            bad "$s: the view did not show its diagram in tmux"; continue
        fi
        "$PROTOSIM" --export txt --width 100 --from $((n - body + 1)) "$s" >"$TMP/export.txt"
        if cmp -s "$TMP/view.txt" "$TMP/export.txt"; then ok; else
            bad "$s: --export txt differs from the view's ladder"; diff "$TMP/view.txt" "$TMP/export.txt" | head -10
        fi
        [ "$body" -ge 20 ] && ok || bad "$s: only $body rows compared"
        tmux -L "$SOCK" kill-server >/dev/null 2>&1
    done
else
    echo "SKIP: export: tmux is not installed: the txt-versus-view comparison did not run"
    skip=$((skip + 1))
fi

# 4. a lesson whose hosts have Chinese names, in every format and in Chinese
zh=$HERE/export/zh-hosts.scn
for f in svg html mermaid txt; do
    expect_rc 0 "Chinese hosts --export $f" -- "$PROTOSIM" --lang zh --export $f -o "$TMP/zh.$f" "$zh"
done
xmllint --noout "$TMP/zh.svg" && ok || bad "zh.svg is not well-formed"
has "$TMP/zh.svg" '>客户端</text>' "zh.svg: a Chinese host name"
has "$TMP/zh.svg" '>时间</text>' "zh.svg: the time column in Chinese"
has "$TMP/zh.mermaid" '^    participant P0 as 客户端 (192.0.2.10)$' "zh.mermaid: participant"
has "$TMP/zh.mermaid" '^    P0->>P1: SYN seq=1000$' "zh.mermaid: message"
has "$TMP/zh.html" '<html lang="zh-CN">' "zh.html: the page says its language"
has "$TMP/zh.html" '客户端发起连接' "zh.html: the note in Chinese"
has "$TMP/zh.txt" '客户端' "zh.txt: the host's name"
"$PROTOSIM" --lang zh --json "$zh" >"$TMP/zh.json"
python3 "$HERE/export_mermaid.py" "$TMP/zh.json" "$TMP/zh.mermaid" "$zh" && ok || bad "zh: Mermaid is not the run"
"$PROTOSIM" --export txt --ascii "$zh" >"$TMP/zh.ascii"
if LC_ALL=C grep -q "$(printf '[\200-\377]')" "$TMP/zh.ascii"; then bad "zh --ascii has bytes above 127"; else ok; fi

# 5. ranges: event numbers as the view shows them, or times
"$PROTOSIM" --export txt --from 5 --to 8 handshake >"$TMP/r.txt"
[ "$(wc -l <"$TMP/r.txt")" -eq 6 ] && ok || bad "--from 5 --to 8: 4 rows and the header"
"$PROTOSIM" --export mermaid --from 5 --to 5 handshake >"$TMP/r.mmd"
[ "$(grep -c -- '->>' "$TMP/r.mmd")" -eq 1 ] && ok || bad "--from 5 --to 5: event #5 is the SYN"
has "$TMP/r.mmd" 'P0->>P1: SYN seq=1000' "--from 5 --to 5: the SYN"
# 30ms: the first event at or after it is #8 (SYN arrives); to 50ms: the
# last at or before it is #17 (the client's ACK is sent at 50ms)
"$PROTOSIM" --export mermaid --from 30ms --to 50ms handshake >"$TMP/t.mmd"
has "$TMP/t.mmd" 'P1->>P0: SYN,ACK' "--from 30ms --to 50ms: the SYN,ACK"
if grep -q 'P0->>P1: SYN seq' "$TMP/t.mmd"; then bad "--from 30ms: the SYN sent at 10ms is out"; else ok; fi
"$PROTOSIM" --export txt --from 0.03s --to 0.05s handshake >"$TMP/t2.txt"
"$PROTOSIM" --export txt --from 8 --to 17 handshake >"$TMP/t3.txt"
cmp -s "$TMP/t2.txt" "$TMP/t3.txt" && ok || bad "--from 0.03s --to 0.05s is --from 8 --to 17"
"$PROTOSIM" --export svg --from 8 --to 17 handshake >"$TMP/r.svg"
xmllint --noout "$TMP/r.svg" && ok || bad "a range's SVG is not well-formed"
# the SYN sent before the range still arrives in it: its arrow is drawn
has "$TMP/r.svg" 'class="msg" data-i="4"' "range: a flight begun before it"
expect_rc 0 "--to past the end is the end" -- "$PROTOSIM" --export txt --from 19 --to 999 handshake
expect_rc 64 "--from past the end" -- "$PROTOSIM" --export txt --from 21 handshake
has "$TMP/err" 'no event in that range (the run has events #1 to #20, from 0.000s to 0.070s)' "empty range: message"

# --chapter N: exactly that chapter's records, as the --json chapter lines
# give them (web-request's third: the handshake)
"$PROTOSIM" --json web-request >"$TMP/wr.json"
first=$(grep '"kind":"chapter"' "$TMP/wr.json" | sed -n 3p | sed 's/.*"first":\([0-9]*\).*/\1/')
last=$(grep '"kind":"chapter"' "$TMP/wr.json" | sed -n 3p | sed 's/.*"last":\([0-9]*\).*/\1/')
"$PROTOSIM" --export txt --chapter 3 web-request >"$TMP/ch3.txt"
"$PROTOSIM" --export txt --from $((first + 1)) --to $((last + 1)) web-request >"$TMP/ch3r.txt"
if [ -n "$first" ] && cmp -s "$TMP/ch3.txt" "$TMP/ch3r.txt"; then ok
else bad "--chapter 3 is not events #$((first + 1)) to #$((last + 1))"; fi
rows=$(wc -l <"$TMP/ch3.txt")
[ "$rows" -eq $((last - first + 1 + 2)) ] && ok || bad "--chapter 3: $rows lines for events $first-$last"
"$PROTOSIM" --export mermaid --chapter 3 web-request >"$TMP/ch3.mmd"
has "$TMP/ch3.mmd" "SYN seq=1000" "--chapter 3 (mermaid): the SYN"
if grep -q "DNS query\|DNS referral\|DNS answer" "$TMP/ch3.mmd"; then bad "--chapter 3 (mermaid) has the DNS walk"; else ok; fi
expect_rc 64 "--chapter past the last" -- "$PROTOSIM" --export txt --chapter 8 web-request
has "$TMP/err" 'this lesson has 7 chapters' "--chapter past the last: message"
expect_rc 64 "--chapter of a lesson without chapters" -- "$PROTOSIM" --export svg --chapter 1 handshake
has "$TMP/err" 'this lesson has no chapters' "no chapters: message"
expect_rc 64 "--chapter with --from" -- "$PROTOSIM" --export txt --chapter 2 --from 3 web-request
expect_rc 64 "--export with --quiz" -- "$PROTOSIM" --export svg --quiz handshake
has "$TMP/err" 'not go with --quiz' "--export with --quiz: message"
expect_rc 64 "--chapter 0" -- "$PROTOSIM" --export txt --chapter 0 web-request
expect_rc 64 "--chapter without --export" -- "$PROTOSIM" --chapter 1 web-request
expect_rc 64 "--from after --to" -- "$PROTOSIM" --export txt --from 9 --to 3 handshake
expect_rc 64 "--from 0" -- "$PROTOSIM" --export txt --from 0 handshake
expect_rc 64 "--to 10 parsecs" -- "$PROTOSIM" --export txt --to 10pc handshake
has "$TMP/err" '--to needs an event number' "bad bound: message"
# an event number or a time too large for 64 bits is one past the run's end,
# told as such, not as "needs an event number"
expect_rc 64 "--from past 2^64" -- "$PROTOSIM" --export txt --from 99999999999999999999 handshake
has "$TMP/err" 'no event in that range (the run has events #1 to #20' "--from past 2^64: message"
expect_rc 64 "--from a time past 2^63 us" -- "$PROTOSIM" --export txt --from 99999999999999999999999h handshake
has "$TMP/err" 'no event in that range (the run has events #1 to #20' "--from a huge time: message"
"$PROTOSIM" --export txt --to 99999999999999999999 handshake >"$TMP/to-big.txt"
"$PROTOSIM" --export txt handshake >"$TMP/to-none.txt"
cmp -s "$TMP/to-big.txt" "$TMP/to-none.txt" && ok || bad "--to past 2^64 is not the end"

# 6. the exit-code contract: bad format, options without --export, files
expect_rc 64 "--export pdf" -- "$PROTOSIM" --export pdf handshake
has "$TMP/err" 'protosim: --export needs svg, html, mermaid or txt, not "pdf"' "bad format: message"
expect_rc 64 "-o without --export" -- "$PROTOSIM" -o "$TMP/x.svg" handshake
has "$TMP/err" '\-o goes with --export FORMAT' "-o alone: message"
expect_rc 64 "--ascii with svg" -- "$PROTOSIM" --export svg --ascii handshake
expect_rc 64 "--fold without --export" -- "$PROTOSIM" --fold syn-flood
has "$TMP/err" '\-\-fold goes with --export FORMAT' "--fold alone: message"
# --fold: the flood's crowd is a row per run in every format, the SVG valid
for f in svg html mermaid txt; do
    expect_rc 0 "syn-flood --export $f --fold" -- "$PROTOSIM" --export $f --fold \
        -o "$TMP/flood-fold.$f" syn-flood
    has "$TMP/flood-fold.$f" 'events of the crowd' "syn-flood.$f --fold: a folded row"
done
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$TMP/flood-fold.svg" && ok || bad "syn-flood.svg --fold is not well-formed"
fi
expect_rc 64 "--width 10" -- "$PROTOSIM" --export txt --width 10 handshake
expect_rc 64 "--export with --json" -- "$PROTOSIM" --export svg --json handshake
expect_rc 64 "-o a lesson" -- "$PROTOSIM" --export svg -o "$TMP/lesson.scn" handshake
# the lesson itself under another name: refused, and the message says so
# (it said "over a .scn lesson" of a .txt file); the lesson is left whole
cp "$HERE/../scenarios/handshake.scn" "$TMP/lesson.txt"
expect_rc 64 "-o the lesson it draws" -- "$PROTOSIM" --export txt -o "$TMP/lesson.txt" "$TMP/lesson.txt"
has "$TMP/err" "refusing to write an export over the lesson it draws" "-o the lesson: message"
cmp -s "$TMP/lesson.txt" "$HERE/../scenarios/handshake.scn" && ok || bad "-o the lesson: the lesson changed"
expect_rc 73 "-o in a missing directory" -- "$PROTOSIM" --export svg -o "$TMP/no/such/dir.svg" handshake
has "$TMP/err" "protosim: cannot create $TMP/no/such/dir.svg" "cannot create: message"
# replaced only when complete: a failed export leaves the old file as it was
echo "old handout" >"$TMP/keep.svg"
expect_rc 64 "a range error" -- "$PROTOSIM" --export svg -o "$TMP/keep.svg" --from 99 handshake
[ "$(cat "$TMP/keep.svg")" = "old handout" ] && ok || bad "a failed export changed the old file"
expect_rc 0 "-o over an old file" -- "$PROTOSIM" --export svg -o "$TMP/keep.svg" handshake
cmp -s "$TMP/keep.svg" "$TMP/handshake.svg" && ok || bad "-o: the new file is not the export"
[ -z "$(ls "$TMP" | grep protosim-)" ] && ok || bad "a temporary file was left behind"
if [ -w /dev/full ]; then
    expect_rc 74 "standard output full" -- sh -c "'$PROTOSIM' --export html web-request >/dev/full"
fi
# a run cut short by a limit: exit 3, and every format says where it ends
for f in svg html mermaid txt; do
    expect_rc 3 "--max-events 30 --export $f" -- "$PROTOSIM" --max-events 30 --export $f web-request
    has "$TMP/out" 'the run stopped at 0.091s by its event limit of 30 (--max-events)' "a limit's mark in $f"
done
"$PROTOSIM" --help >"$TMP/help"
has "$TMP/help" '--export FORMAT' "--help: --export"
has "$TMP/help" '--from N|TIME' "--help: --from"

# 7. the HTML page in a real browser (headless Chromium through WebDriver)
for s in handshake web-request syn-loss; do
    python3 "$HERE/export_browser.py" "$PROTOSIM" "$s" "$TMP" >"$TMP/browser.out" 2>&1
    rc=$?
    cat "$TMP/browser.out" | grep -v '^browser '
    case $rc in
        0)  ok ;;
        77) skip=$((skip + 1)); cat "$TMP/browser.out" ;;
        *)  bad "$s.html in the browser"; tail -3 "$TMP/browser.out" ;;
    esac
done
# the flood with its crowd folded: the keys step by rows
python3 "$HERE/export_browser.py" "$PROTOSIM" syn-flood "$TMP" fold >"$TMP/browser.out" 2>&1
rc=$?
grep -v '^browser ' "$TMP/browser.out"
case $rc in
    0)  ok ;;
    77) skip=$((skip + 1)) ;;
    *)  bad "syn-flood.html --fold in the browser"; tail -3 "$TMP/browser.out" ;;
esac
for s in handshake web-request syn-loss; do
    [ -f "$TMP/$s.png" ] && cp "$TMP/$s.png" "${EXPORT_SCREENSHOTS:-$TMP}/" 2>/dev/null
done

echo "export-tests: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]

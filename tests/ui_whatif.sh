# ui_whatif.sh — the what-if keys and the lesson files of the interactive view, in tmux: sourced by tests/ui_tmux.sh (its start, launch, keys, step, settle, check ...).
#
# x drops the selected packet, d delays it (a prompt, 1s by default), u
# undoes to the very screen before, w saves the lesson with its what-ifs;
# r reloads the lesson file, o's p and O open a typed path.  Events are
# found by searching (/), not by number, so a lesson's order may change.

# ev: the selected event's number, from the title bar ("event K/N")
ev() { sed -n 's/.* event \([0-9]*\)\/[0-9]* .*/\1/p' "$TMP/screen" | head -n 1; }
# find TEXT: / searches for TEXT, and the frame settles
find() {
    keys /
    wait_for " /_" >/dev/null
    lit "$1"
    keys Enter
    wait_gone " /$1" >/dev/null
    settle
}

# ---- what if: drop, delay, undo byte for byte, save ----------------------------
start
launch handshake
check "whatif: the timeline opens" wait_for "Three-way handshake"
find "ack=1001 win"
k=$(ev)
check "whatif: / selects the server's SYN,ACK" on_screen "#$k/20  0.030s  server  send"
cp "$TMP/screen" "$TMP/wi-a"
keys x
check "whatif: x says where the story departs" wait_for "the story departs at event $((k + 1))"
settle
check "whatif: the line is the language's own selector" \
    on_screen 'fault drop server->client tcp SYN,ACK #1'
check "whatif: the lost SYN,ACK ends in a cross" on_screen "dropped (fault) ✕"
check "whatif: the departure is flagged and selected" on_screen "0.030s⚑▸"
check "whatif: the story is longer now" on_screen "event $((k + 1))/30"
check "whatif: the title says a what-if is shown" on_screen "Three-way handshake · 1 what-if "
step G 30
check "whatif: the server retransmits its SYN,ACK" \
    [ "$(grep -c 'SYN,ACK seq=5000 ack=1001' "$TMP/screen")" -ge 2 ]
check "whatif: the client's RTO fired" on_screen "RTO expired"
# a second what-if on top of the first: the first SYN delayed (a prompt)
step g 1
find "SYN seq=1000 win"
check "whatif: / selects the client's SYN" on_screen "#$(ev)/30  0.010s  client  send"
cp "$TMP/screen" "$TMP/wi-b"
keys d
check "whatif: d asks how long, 1s offered" wait_for "delay the packet by (e.g. 1s, 500ms): 1s_"
keys BSpace BSpace
lit "500ms"
keys Enter
check "whatif: the delay line" wait_for 'fault delay client->server tcp SYN #1 by 500ms'
check "whatif: ...departs at its arrival" on_screen "the story departs at event"
check "whatif: ...and the title counts two" on_screen "Three-way handshake · 2 what-ifs"
keys u
wait_gone "fault delay" >/dev/null
settle
check "whatif: u gives back the screen before d, byte for byte" cmp -s "$TMP/screen" "$TMP/wi-b"
if ! cmp -s "$TMP/screen" "$TMP/wi-b"; then diff "$TMP/wi-b" "$TMP/screen" | head -10 | sed 's/^/    /'; fi
keys u
wait_for "event $k/20" >/dev/null
settle
check "whatif: u again gives back the screen before x, byte for byte" cmp -s "$TMP/screen" "$TMP/wi-a"
if ! cmp -s "$TMP/screen" "$TMP/wi-a"; then diff "$TMP/wi-a" "$TMP/screen" | head -10 | sed 's/^/    /'; fi
keys u
check "whatif: nothing more to undo" wait_for "nothing to undo"
# save: the default name, then a path typed instead
keys w
check "whatif: w with no what-if says so" wait_for "nothing to save yet"
keys x
wait_for "the story departs at event $((k + 1))" >/dev/null
keys w
check "whatif: w offers LESSON-whatif.scn" wait_for "save the what-if lesson as: handshake-whatif.scn_"
keys C-u
lit "$TMP/hs-whatif.scn"
keys Enter
check "whatif: saved" wait_for "saved $TMP/hs-whatif.scn"
check "whatif: the saved file is the lesson plus the fault line" \
    sh -c "head -c \$(wc -c <scenarios/handshake.scn) '$TMP/hs-whatif.scn' | cmp -s - scenarios/handshake.scn &&
           tail -n 1 '$TMP/hs-whatif.scn' | grep -qx 'fault drop server->client tcp SYN,ACK #1' &&
           tail -n 2 '$TMP/hs-whatif.scn' | grep -q '^# what-if (protosim): the frame of event $k, dropped'"
fl=$(($(wc -l <scenarios/handshake.scn) + 3))
check "whatif: the saved lesson runs with the SYN,ACK lost" \
    sh -c "'$PROTOSIM' --batch '$TMP/hs-whatif.scn' | grep -q 'scenario fault (line $fl): drop this packet'"
keys q
check "whatif: exits 0" wait_rc
check "whatif: exit status 0" [ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ]

# ---- r reloads the edited lesson; o and O open a typed path ---------------------
cp scenarios/handshake.scn "$TMP/lesson.scn"
cp scenarios/teardown.scn "$TMP/other.scn"
start
launch "$TMP/lesson.scn"
check "reload: the copied lesson opens" wait_for "Three-way handshake"
find "I want to talk"
k=$(ev)
sed 's/I want to talk, my numbers/May I talk? My numbers/' "$TMP/lesson.scn" >"$TMP/lesson.new" &&
    mv "$TMP/lesson.new" "$TMP/lesson.scn"
keys r
check "reload: r reloads" wait_for "reloaded $TMP/lesson.scn: 20 events, at event $k"
settle
check "reload: the edited note is shown" on_screen "May I talk? My numbers start at 1000"
check "reload: at the same event" on_screen "event $k/20"
bl=$(($(wc -l <"$TMP/lesson.scn") + 1))
printf 'at 1s client fly\n' >>"$TMP/lesson.scn"
keys r
check "reload: a parse error names file:line:col" wait_for "lesson.scn:$bl:14: error: unknown action"
check "reload: ...and the run shown stays" on_screen "May I talk? My numbers start at 1000"
check "reload: ...at the same event" on_screen "event $k/20"
keys o
check "open: o lists the shipped lessons" wait_for "open a shipped scenario"
settle
check "open: o says p types a path" on_screen "p type a file path"
keys p
check "open: p asks for a path" wait_for "open the lesson file: _"
lit "$TMP/other.scn"
keys Enter
check "open: the typed path opens" wait_for "opened $TMP/other.scn: "
check "open: its title" on_screen "Four-way teardown"
keys O
check "open: O asks for a path" wait_for "open the lesson file: _"
lit "$TMP/nope.scn"
keys Enter
check "open: a missing file is said" wait_for "cannot open $TMP/nope.scn: No such file or directory"
check "open: ...and the view stays" on_screen "Four-way teardown"
printf 'host a 192.0.2.1\nbogus\n' >"$TMP/bad.scn"
keys O
wait_for "open the lesson file: _" >/dev/null
lit "$TMP/bad.scn"
keys Enter
check "open: a parse error names file:line:col" wait_for "bad.scn:2:1: error: unknown keyword"
check "open: ...and the view stays" on_screen "Four-way teardown"
keys O
wait_for "open the lesson file: _" >/dev/null
keys Escape
check "open: Esc closes the prompt" wait_gone "open the lesson file:"
keys q
check "reload/open: exits 0" wait_rc
check "reload/open: exit status 0" [ "$(cat "$TMP/rc" 2>/dev/null)" = 0 ]

#!/bin/sh
# The layer rule (ARCHITECTURE.md), checked on the built libraries:
#  - the model's library (libsim.a) calls no curses, no sockets and no
#    stdio output: it reaches the world only through the trace;
#  - the model and the language link and run without the front end
#    (LAYER_MODEL, linked with no curses library) and agree with the full
#    program on a lesson.
# Run by `make test` with SIM_LIB, LANG_LIB and LAYER_MODEL set.
set -u
fail=0
ok()  { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fail=1; }

: "${SIM_LIB:?}" "${LANG_LIB:?}" "${LAYER_MODEL:?}"

# Symbols a library needs from outside itself, one per line: undefined in
# some member and defined in none.
undefined() {
    nm --defined-only "$1" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u > "$tmp/def"
    nm -u "$1" | awk 'NF { print $NF }' | sed 's/@.*//' | sort -u | comm -23 - "$tmp/def"
}

CURSES='^(initscr|endwin|newwin|delwin|newterm|stdscr|curscr|COLS|LINES|w?refresh|doupdate|w?addn?w?str|w?addch|mvw?add.*|mvw?print.*|w?printw|w?move|w?erase|w?clear|w?attr_?(on|off|set)|w?color_set|start_color|init_pair|use_default_colors|w?getch|wget_wch|keypad|noecho|cbreak|raw|curs_set|halfdelay|nodelay|wtimeout|setupterm|tputs|tigetstr|tparm)$'
SOCKETS='^(socket|socketpair|bind|listen|accept4?|connect|send|sendto|sendmsg|recv|recvfrom|recvmsg|setsockopt|getsockopt|getsockname|getpeername|shutdown|poll|select|epoll_.*|getaddrinfo|inet_.*)$'
OUTPUT='^(printf|fprintf|vprintf|vfprintf|dprintf|vdprintf|puts|fputs|fputc|putc|putchar|fwrite|fflush|perror|write|writev|pwrite|fopen|fdopen|open|openat|creat|stdout|stderr|_IO_putc|__printf_chk|__fprintf_chk|__vfprintf_chk)$'

tmp=${TMPDIR:-/tmp}/protosim-layers.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
sym=$(undefined "$SIM_LIB")
for rule in "curses:$CURSES" "sockets:$SOCKETS" "stdio output:$OUTPUT"; do
    name=${rule%%:*}; re=${rule#*:}
    hits=$(printf '%s\n' "$sym" | grep -E "$re" | tr '\n' ' ')
    if [ -z "$hits" ]; then ok "model library calls no $name"
    else bad "model library calls $name: $hits"; fi
done
# The check itself must be able to fail: an object that calls printf and
# socket() is caught by the same rules.
printf '#include <stdio.h>\n#include <sys/socket.h>\nint f(void);\nint f(void) { printf("x"); return socket(0, 0, 0); }\n' > "$tmp/bad.c"
if ${CC:-cc} -c "$tmp/bad.c" -o "$tmp/bad.o" 2>/dev/null; then
    s2=$(undefined "$tmp/bad.o")
    if printf '%s\n' "$s2" | grep -Eq "$OUTPUT" && printf '%s\n' "$s2" | grep -Eq "$SOCKETS"
    then ok "the layer rules catch printf and socket in an object"
    else bad "the layer rules missed printf or socket: $s2"; fi
fi
# curses and Check headers are not on the model's include path
for d in sim/*/; do
    if grep -ln '#include <\(n\?curses\|check\|sys/socket\|netinet\|arpa\)' "$d"*.[ch] 2>/dev/null | grep -q .; then
        bad "$d includes curses, Check or socket headers"
    else ok "$d includes no curses, Check or socket headers"; fi
done
# The dependency rule (ARCHITECTURE.md): a folder includes headers of its
# own folder and of the folders below it, never above, and a private header
# (*int.h) only from its own folder.  Order, lowest first:
#   sim/engine < sim/wire < sim/proto < sim/host < lang, real < ui
allowed_dirs() {
    case $1 in
        sim/engine) echo "sim/engine";;
        sim/wire)   echo "sim/engine sim/wire";;
        sim/proto)  echo "sim/engine sim/wire sim/proto";;
        sim/host)   echo "sim/engine sim/wire sim/proto sim/host";;
        lang)       echo "sim/engine sim/wire sim/proto sim/host lang";;
        real)       echo "sim/engine sim/wire sim/proto sim/host real";;
    esac
}
# include_violations DIR: "file: header" for each include DIR may not use
include_violations() {
    d=$1
    allowed=""
    for a in $(allowed_dirs "$d"); do
        for h in "$a"/*.h; do
            [ -e "$h" ] || continue
            b=${h##*/}
            case $b in *int.h) [ "$a" = "$d" ] || continue;; esac
            allowed="$allowed $b"
        done
    done
    for f in "$d"/*.[ch]; do
        grep -o '^#include "[^"]*"' "$f" | sed 's/^#include "\(.*\)"$/\1/' |
        while read -r inc; do
            case " $allowed " in *" $inc "*) ;; *) echo "$f: $inc";; esac
        done
    done
}
for d in sim/engine sim/wire sim/proto sim/host lang real; do
    v=$(include_violations "$d" | tr '\n' ' ')
    if [ -z "$v" ]; then ok "$d/ includes only its own and lower layers' headers"
    else bad "$d/ includes headers above its layer or another's private header: $v"; fi
done
# ... and the rule itself can fail: engine including a protocol's header
mkdir -p "$tmp/sim/engine" "$tmp/sim/proto"
printf '#include "tcp.h"\n' > "$tmp/sim/engine/x.c"
touch "$tmp/sim/proto/tcp.h"
v=$(cd "$tmp" && include_violations sim/engine)
if [ "$v" = "sim/engine/x.c: tcp.h" ]; then ok "the dependency rule catches sim/engine including tcp.h"
else bad "the dependency rule missed sim/engine including tcp.h: '$v'"; fi

# the model and the language, linked without curses, run a lesson
out=$("$LAYER_MODEL" scenarios/handshake.scn 2>&1); rc=$?
case "$out" in
    "records "*" failed 0") [ $rc -eq 0 ] && ok "model+language alone run handshake: $out" \
                                        || bad "layer_model exited $rc";;
    *) bad "layer_model on handshake: $out (exit $rc)";;
esac
exit $fail

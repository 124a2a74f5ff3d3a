#!/usr/bin/env bash
# Records pcap captures of SIP attack traffic made by real attack tools (SIPVicious svmap / svwar /
# svcrack, sipsak, SIPp) into perf-tests/src/main/resources/attacks/. See README.md next to this file.
#
# Everything stays on the loopback interface: a stub registrar (responder.py) listens on
# 127.0.0.1:7060, each tool attacks it (svmap sweeps 127.0.0.1-127.0.0.200 x ports 7060-7069), and
# dumpcap captures only the tool -> target direction. Every tool run is bounded by a message count
# and by `timeout`. Each capture is checked (check.py: every packet one complete, well-formed SIP
# message of the expected kinds; dumpcap dropped nothing; size limits) before it replaces the
# previous file. The responder, the capture and any running tool are stopped on exit, also on error.
#
# Usage: sudo perf-tests/attacks/record.sh        (needs root to capture on lo)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$(cd "$HERE/.." && pwd)/src/main/resources/attacks
PY=${PYTHON:-python3}

HOST=127.0.0.1
PORT=7060                       # responder.py
SWEEP_HOSTS=127.0.0.1-127.0.0.200
SWEEP_PORTS=7060-7069           # svmap sweep: 200 addresses x 10 ports; only 127.0.0.1:7060 answers
SVMAP_PORT=7081
SVWAR_PORT=7082
SVCRACK_PORT=7083
SIPP_PORT=7084
SIPP_MEDIA_PORT=7100            # SIPp binds its RTP echo sockets here (unused, but must be free)
MAX_BYTES=1572864               # 1.5 MiB per capture
# Ports that must be free before we start (nothing else may listen there or send there).
OUR_PORTS="7060-7069 7080-7089 7100-7103"

WORK=
RESP_PID=
CAP_PID=
TOOL_PID=

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

stop_pid() { # pid signal
    local pid=$1 sig=${2:-TERM}
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$sig" "$pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$TOOL_PID" TERM
    stop_pid "$CAP_PID" INT
    stop_pid "$RESP_PID" TERM
    if [ -n "$WORK" ] && [ -d "$WORK" ]; then
        [ -s "$WORK/responder.log" ] && cat "$WORK/responder.log" >&2
        rm -rf "$WORK"
    fi
    [ "$rc" -eq 0 ] || log "record.sh failed (exit $rc); outputs of attacks not yet recorded were left untouched"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------- checks
[ "$(id -u)" -eq 0 ] || die "run as root (capturing on lo needs it): sudo $0"
for tool in dumpcap tshark sipp sipsak svmap svwar svcrack timeout ss ip "$PY"; do
    command -v "$tool" >/dev/null || die "$tool not found"
done
ip -o addr show dev lo | grep -q 'inet 127\.0\.0\.1/8' || die "lo has no 127.0.0.1/8"

port_in_use() { # lo hi -> prints the sockets bound to a local port in [lo, hi]
    ss -Huan | awk -v lo="$1" -v hi="$2" '{ n = split($4, a, ":"); p = a[n] + 0; if (p >= lo && p <= hi) print }'
}
for range in $OUR_PORTS; do
    busy=$(port_in_use "${range%-*}" "${range#*-}")
    [ -z "$busy" ] || die "UDP ports $range are needed but in use:
$busy"
done

mkdir -p "$OUT"
WORK=$(mktemp -d /tmp/sip-attacks.XXXXXX)
cd "$WORK"

# ------------------------------------------------------------------------------------- helpers
start_responder() {
    "$PY" "$HERE/responder.py" --host "$HOST" --port "$PORT" --ready-file "$WORK/ready" \
        2>"$WORK/responder.log" &
    RESP_PID=$!
    for _ in $(seq 100); do
        [ -s "$WORK/ready" ] && return 0
        kill -0 "$RESP_PID" 2>/dev/null || { cat "$WORK/responder.log" >&2; die "responder.py did not start"; }
        sleep 0.1
    done
    die "responder.py not ready after 10 s"
}

start_capture() { # name bpf-filter
    local name=$1 filter=$2
    rm -f "$WORK/$name.pcap" "$WORK/$name.dumpcap.log"
    dumpcap -q -i lo -P -B 64 -a duration:300 -f "$filter" -w "$WORK/$name.pcap" \
        2>"$WORK/$name.dumpcap.log" &
    CAP_PID=$!
    for _ in $(seq 100); do
        grep -q "Capturing on" "$WORK/$name.dumpcap.log" 2>/dev/null && { sleep 0.5; return 0; }
        kill -0 "$CAP_PID" 2>/dev/null || { cat "$WORK/$name.dumpcap.log" >&2; die "dumpcap did not start"; }
        sleep 0.1
    done
    die "dumpcap did not start capturing within 10 s"
}

stop_capture() { # name
    local name=$1
    sleep 1   # let the last packets (and the answers to them) pass
    stop_pid "$CAP_PID" INT
    CAP_PID=
    local stats
    stats=$(grep "received/dropped" "$WORK/$name.dumpcap.log" || true)
    [ -n "$stats" ] || { cat "$WORK/$name.dumpcap.log" >&2; die "$name: no capture statistics from dumpcap"; }
    echo "$stats" | grep -q "pcap:0/dumpcap:0/flushed:0" \
        || die "$name: dumpcap dropped packets: $stats"
}

run_tool() { # seconds allowed-exit-codes(comma list) command...  (output goes to $WORK/tool.log)
    local secs=$1 ok=$2 rc=0
    shift 2
    [ -n "${QUIET_TOOL:-}" ] || log "  \$ $*"
    timeout -k 5 "$secs" "$@" >>"$WORK/tool.log" 2>&1 </dev/null &
    TOOL_PID=$!
    wait "$TOOL_PID" || rc=$?
    TOOL_PID=
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        tail -20 "$WORK/tool.log" >&2
        die "$1 did not finish within $secs s"
    fi
    case ",$ok," in
        *",$rc,"*) ;;
        *) tail -20 "$WORK/tool.log" >&2; die "$1 exited with status $rc" ;;
    esac
}

finish() { # name check.py-args...   verify the capture and move it into place
    local name=$1
    shift
    "$PY" "$HERE/check.py" "$WORK/$name.pcap" --max-bytes "$MAX_BYTES" "$@" \
        || die "$name.pcap failed the checks (left in $WORK until exit)"
    log "  tshark: $(tshark -r "$WORK/$name.pcap" -d "udp.port==$SWEEP_PORTS,sip" -Y sip \
        -T fields -e sip.Method -e sip.Status-Line 2>/dev/null | sort | uniq -c | tr -s ' \t' ' ' | paste -sd';')"
    mv -f "$WORK/$name.pcap" "$OUT/$name.pcap"
    chmod 644 "$OUT/$name.pcap"
}

record() { # name description
    log "== $1: $2"
    : >"$WORK/tool.log"
}

# Injection files for SIPp (fixed seeds: the same made-up values on every recording).
"$PY" - "$WORK" <<'EOF'
import random, sys
work = sys.argv[1]
with open(work + "/users.csv", "w") as f:          # sipp-register-flood: extensions 1000..2999
    f.write("SEQUENTIAL\n")
    for user in range(1000, 3000):
        f.write("%d;\n" % user)
# fake dialogs / transactions: caller;callee;from-tag;to-tag;call-id;branch;cseq;kind
for name, seed in (("bye", 1), ("cancel", 2), ("response", 3)):
    r = random.Random(seed)
    hexs = lambda n: "".join(r.choice("0123456789abcdef") for _ in range(n))
    with open("%s/fake-%s.csv" % (work, name), "w") as f:
        f.write("SEQUENTIAL\n")
        for _ in range(1000):
            callid = r.choice([
                hexs(32),
                "%s@10.%d.%d.%d" % (hexs(16), r.randrange(256), r.randrange(256), r.randrange(1, 255)),
                "-".join((hexs(8), hexs(4), hexs(4), hexs(4), hexs(12))),
            ])
            f.write(";".join([str(r.randrange(100, 1000)), str(r.randrange(100, 1000)), hexs(8), hexs(10),
                              callid, hexs(16), str(r.randrange(1, 100000)),
                              "200" if r.random() < 0.2 else "486"]) + ";\n")
EOF

# -------------------------------------------------------------------------------------- attacks
start_responder
log "responder.py listening on $HOST:$PORT"

SIPP_COMMON=(-i "$HOST" -p "$SIPP_PORT" -mi "$HOST" -mp "$SIPP_MEDIA_PORT" -nd -nostdin -timeout 60s)
TO_RESPONDER="udp and dst host $HOST and dst port $PORT"

record svmap-sweep "svmap OPTIONS sweep of $SWEEP_HOSTS ports $SWEEP_PORTS"
start_capture svmap-sweep "udp and src host $HOST and src port $SVMAP_PORT"
run_tool 120 0 svmap -b "$HOST" -P "$SVMAP_PORT" -p "$SWEEP_PORTS" --first 2000 "$SWEEP_HOSTS"
stop_capture svmap-sweep
grep -q "$HOST:$PORT" "$WORK/tool.log" || die "svmap did not report the responder"
finish svmap-sweep --expect OPTIONS --min 2000 --max 2000

record svwar-enumeration "svwar INVITE enumeration of extensions 100-999"
start_capture svwar-enumeration "$TO_RESPONDER"
run_tool 120 0 svwar -m INVITE -e 100-999 -b "$HOST" -P "$SVWAR_PORT" -p "$PORT" "$HOST"
stop_capture svwar-enumeration
[ "$(grep -c reqauth "$WORK/tool.log")" -eq 100 ] || die "svwar did not find the 100 extensions 100-199"
finish svwar-enumeration --expect INVITE,ACK --min 1700 --max 2000

record svcrack-bruteforce "svcrack password guessing for extension 100, passwords 1000-2199"
start_capture svcrack-bruteforce "$TO_RESPONDER"
run_tool 180 0 svcrack -u 100 -r 1000-2199 -b "$HOST" -P "$SVCRACK_PORT" -p "$PORT" "$HOST"
stop_capture svcrack-bruteforce
finish svcrack-bruteforce --expect REGISTER --min 2300 --max 2500

record sipsak-options-flood "sipsak flood mode, 2000 OPTIONS"
start_capture sipsak-options-flood "$TO_RESPONDER"
run_tool 60 0 sipsak -F -e 2000 -s "sip:100@$HOST:$PORT"
stop_capture sipsak-options-flood
finish sipsak-options-flood --expect OPTIONS --min 2000 --max 2000

record sipsak-register "sipsak usrloc mode, one run per user 100-599 (2 REGISTERs each)"
start_capture sipsak-register "$TO_RESPONDER"
log "  \$ for u in 100..599: sipsak -U -s sip:\$u@$HOST:$PORT   (exits 1 on the 403)"
for user in $(seq 100 599); do
    # -U against this registrar: REGISTER, 401, REGISTER with Authorization, 403 -> exit status 1.
    QUIET_TOOL=1 run_tool 15 0,1 sipsak -U -s "sip:$user@$HOST:$PORT"
done
stop_capture sipsak-register
finish sipsak-register --expect REGISTER --min 1000 --max 1000

record sipp-invite-flood "SIPp 2000 fresh INVITEs at 400/s"
start_capture sipp-invite-flood "$TO_RESPONDER"
run_tool 90 0 sipp -sf "$HERE/sipp-invite-flood.xml" -s 100 -r 400 -m 2000 "${SIPP_COMMON[@]}" "$HOST:$PORT"
stop_capture sipp-invite-flood
finish sipp-invite-flood --expect INVITE --min 2000 --max 2000

record sipp-register-flood "SIPp 2000 REGISTERs for users 1000-2999 at 400/s"
start_capture sipp-register-flood "$TO_RESPONDER"
run_tool 90 0 sipp -sf "$HERE/sipp-register-flood.xml" -inf "$WORK/users.csv" -r 400 -m 2000 \
    "${SIPP_COMMON[@]}" "$HOST:$PORT"
stop_capture sipp-register-flood
finish sipp-register-flood --expect REGISTER --min 2000 --max 2000

record sipp-fake-bye "SIPp 1000 out-of-dialog BYEs at 400/s"
start_capture sipp-fake-bye "$TO_RESPONDER"
run_tool 60 0 sipp -sf "$HERE/sipp-fake-bye.xml" -inf "$WORK/fake-bye.csv" -r 400 -m 1000 \
    "${SIPP_COMMON[@]}" "$HOST:$PORT"
stop_capture sipp-fake-bye
finish sipp-fake-bye --expect BYE --min 1000 --max 1000

record sipp-fake-cancel "SIPp 1000 CANCELs for unknown transactions at 400/s"
start_capture sipp-fake-cancel "$TO_RESPONDER"
run_tool 60 0 sipp -sf "$HERE/sipp-fake-cancel.xml" -inf "$WORK/fake-cancel.csv" -r 400 -m 1000 \
    "${SIPP_COMMON[@]}" "$HOST:$PORT"
stop_capture sipp-fake-cancel
finish sipp-fake-cancel --expect CANCEL --min 1000 --max 1000

record sipp-fake-response "SIPp 1000 unsolicited responses (486, some 200 OK to INVITE) at 400/s"
start_capture sipp-fake-response "$TO_RESPONDER"
run_tool 60 0 sipp -sf "$HERE/sipp-fake-response.xml" -inf "$WORK/fake-response.csv" -r 400 -m 1000 \
    "${SIPP_COMMON[@]}" "$HOST:$PORT"
stop_capture sipp-fake-response
finish sipp-fake-response --expect "SIP/2.0 486 Busy Here,SIP/2.0 200 OK" --min 1000 --max 1000

log "all captures written to $OUT"

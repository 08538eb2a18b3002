#!/usr/bin/env bash
# A private Virtuoso Open Source instance for tests: install it, start one in a folder of its own
# on loopback ports, report on it, stop it. See docs/virtuoso.md for what our code must handle.
#
# Usage:
#   scripts/virtuoso.sh install
#   scripts/virtuoso.sh start DIR [HTTP_PORT] [ISQL_PORT] [--grant-update] [--max-rows N]
#                             [--max-seconds N] [--timeout SECONDS]
#   scripts/virtuoso.sh stop DIR
#   scripts/virtuoso.sh status DIR
#
# Defaults: HTTP 8890, isql 1111, both bound to 127.0.0.1 only; ResultSetMaxRows 1000000,
# MaxQueryExecutionTime 600 s; no SPARQL_UPDATE for the anonymous "SPARQL" user unless
# --grant-update (tests use /sparql-auth and /sparql-graph-crud-auth as dba/dba).
# `start` prints the SPARQL endpoint URL on stdout; progress and errors go to stderr.
# Exit codes: 0 ok; 1 failure; 2 usage; `status` exits 3 when the instance is not running.
# The dba password is $VIRTUOSO_DBA_PASSWORD (default "dba", as in a fresh database).
set -euo pipefail

readonly TEMPLATE_INI=/etc/virtuoso-opensource-7/virtuoso.ini
readonly PACKAGES=(virtuoso-opensource raptor2-utils)
readonly DBA_PASSWORD="${VIRTUOSO_DBA_PASSWORD:-dba}"

say() { printf 'virtuoso.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }
usage() { sed -n '5,10s/^# \{0,1\}//p' "$0" >&2; exit 2; }

# --- install ---------------------------------------------------------------------------------

installed() { command -v virtuoso-t >/dev/null && command -v isql-vt >/dev/null \
    && command -v rapper >/dev/null && command -v inifile >/dev/null; }

# The root part of `install`, run as root (directly or through sudo) by `bash -s`.
read -r -d '' ROOT_INSTALL <<'EOF' || true
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# An empty dba password: no prompt, and the package leaves its own service disabled.
printf '%s\n' \
  'virtuoso-opensource-7 virtuoso-opensource-7/dba-password password' \
  'virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password' \
  | debconf-set-selections
# Keep the package's postinst from starting a system-wide server on 8890/1111.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt_install() { apt-get install -y -q "$@"; }
# Update the package lists only when they lack a package or hold a version gone from the mirror.
if apt-cache policy "$@" 2>/dev/null | grep -q 'Candidate: (none)' \
   || [ "$(apt-cache policy "$@" 2>/dev/null | grep -c Candidate:)" -lt "$#" ]; then
  apt-get update -q
  apt_install "$@"
elif ! apt_install "$@"; then
  apt-get update -q
  apt_install "$@"
fi
EOF

cmd_install() {
    if installed; then
        say "already installed: $(command -v virtuoso-t), $(command -v isql-vt), $(command -v rapper)"
        return 0
    fi
    local runner=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
            runner=(sudo)
        else
            say "not root and no password-less sudo; as root, run:"
            printf '  DEBIAN_FRONTEND=noninteractive apt-get install -y %s\n' "${PACKAGES[*]}" >&2
            exit 1
        fi
    fi
    local started=$SECONDS
    printf '%s\n' "$ROOT_INSTALL" | "${runner[@]}" bash -s -- "${PACKAGES[@]}" >&2
    installed || die "installed ${PACKAGES[*]} but virtuoso-t, isql-vt or rapper is not on PATH"
    say "installed ${PACKAGES[*]} in $((SECONDS - started)) s"
}

# --- helpers for one instance ----------------------------------------------------------------

ini_get() { inifile +inifile "$1/virtuoso.ini" +section "$2" +key "$3"; }
ini_set() { inifile +inifile "$1/virtuoso.ini" +section "$2" +key "$3" +value "$4"; }
port_of() { local value; value=$(ini_get "$1" "$2" ServerPort); echo "${value##*:}"; }

# The pid in DIR/virtuoso.pid if that process is alive and is our virtuoso-t; else nothing.
live_pid() {
    local dir=$1 pid
    [ -s "$dir/virtuoso.pid" ] || return 0
    pid=$(<"$dir/virtuoso.pid")
    if [ -r "/proc/$pid/cmdline" ] \
       && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "+configfile $dir/virtuoso.ini"; then
        echo "$pid"
    fi
}

isql() { timeout 20 isql-vt "127.0.0.1:$1" dba "$DBA_PASSWORD" "EXEC=$2" >/dev/null 2>&1; }

# Status line of GET /sparql?query=ASK{} over bash's /dev/tcp (no curl needed), or nothing.
http_status() {
    local port=$1 line
    exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || return 0
    printf 'GET /sparql?query=ASK%%7B%%7D HTTP/1.0\r\nHost: 127.0.0.1:%s\r\n\r\n' "$port" >&3
    read -r -t 5 line <&3 || true
    exec 3<&- 3>&-
    echo "${line:-}" | awk '{print $2}'
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_tail() {
    say "last lines of $1/virtuoso.log:"
    tail -n 25 "$1/virtuoso.log" 2>/dev/null >&2 || true
    tail -n 5 "$1/virtuoso.out" 2>/dev/null >&2 || true
}

# --- start -----------------------------------------------------------------------------------

# Buffers for the memory this machine has free (Virtuoso's own table: 340000 for 4 GB and up).
buffers_for_memory() {
    local kb
    kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)
    if [ "${kb:-0}" -ge $((6 * 1024 * 1024)) ]; then echo "340000 250000"
    elif [ "${kb:-0}" -ge $((3 * 1024 * 1024)) ]; then echo "170000 130000"
    else echo "10000 6000"; fi
}

write_ini() {
    local dir=$1 http=$2 sql=$3 max_rows=$4 max_seconds=$5 buffers dirty
    cp "$TEMPLATE_INI" "$dir/virtuoso.ini"
    ini_set "$dir" Database DatabaseFile "$dir/virtuoso.db"
    ini_set "$dir" Database ErrorLogFile "$dir/virtuoso.log"
    ini_set "$dir" Database LockFile "$dir/virtuoso.lck"
    ini_set "$dir" Database TransactionFile "$dir/virtuoso.trx"
    ini_set "$dir" Database xa_persistent_file "$dir/virtuoso.pxa"
    ini_set "$dir" TempDatabase DatabaseFile "$dir/virtuoso-temp.db"
    ini_set "$dir" TempDatabase TransactionFile "$dir/virtuoso-temp.trx"
    ini_set "$dir" Parameters ServerPort "127.0.0.1:$sql"
    ini_set "$dir" Parameters DirsAllowed "., $dir, /usr/share/virtuoso-opensource-7/vad"
    read -r buffers dirty < <(buffers_for_memory)
    ini_set "$dir" Parameters NumberOfBuffers "${VIRTUOSO_NUMBER_OF_BUFFERS:-$buffers}"
    ini_set "$dir" Parameters MaxDirtyBuffers "${VIRTUOSO_MAX_DIRTY_BUFFERS:-$dirty}"
    ini_set "$dir" HTTPServer ServerPort "127.0.0.1:$http"
    ini_set "$dir" URIQA DefaultHost "127.0.0.1:$http"
    ini_set "$dir" SPARQL ResultSetMaxRows "$max_rows"
    ini_set "$dir" SPARQL MaxQueryExecutionTime "$max_seconds"
    ini_set "$dir" SPARQL MaxQueryCostEstimationTime 0
    # An empty VAD folder: a fresh database skips installing the Conductor web UI (~1.5 s).
    mkdir -p "$dir/vad"
    ini_set "$dir" Parameters VADInstallDir "$dir/vad/"
}

cmd_start() {
    local dir="" http=8890 sql=1111 grant=0 max_rows=1000000 max_seconds=600 timeout=60
    local positional=()
    while [ $# -gt 0 ]; do
        case $1 in
            --grant-update) grant=1 ;;
            --max-rows) max_rows=${2:?--max-rows needs a number}; shift ;;
            --max-seconds) max_seconds=${2:?--max-seconds needs a number}; shift ;;
            --timeout) timeout=${2:?--timeout needs seconds}; shift ;;
            -*) usage ;;
            *) positional+=("$1") ;;
        esac
        shift
    done
    if [ ${#positional[@]} -lt 1 ] || [ ${#positional[@]} -gt 3 ]; then usage; fi
    dir=${positional[0]}; http=${positional[1]:-$http}; sql=${positional[2]:-$sql}
    installed || die "virtuoso-t not found: run 'scripts/virtuoso.sh install' first"
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)

    local pid
    pid=$(live_pid "$dir")
    [ -z "$pid" ] || die "already running in $dir (pid $pid); stop it first"
    for port in "$http" "$sql"; do
        ! port_in_use "$port" || die "port $port on 127.0.0.1 is already in use; pick another"
    done

    write_ini "$dir" "$http" "$sql" "$max_rows" "$max_seconds"
    local started=$SECONDS
    (cd "$dir" && exec setsid virtuoso-t +foreground +configfile "$dir/virtuoso.ini" \
        </dev/null >"$dir/virtuoso.out" 2>&1) &
    pid=$!
    echo "$pid" >"$dir/virtuoso.pid"

    local deadline=$((SECONDS + timeout))
    until isql "$sql" "select 1;" && [ "$(http_status "$http")" = 200 ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            rm -f "$dir/virtuoso.pid"
            log_tail "$dir"
            die "virtuoso-t (pid $pid) exited during startup in $dir"
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log_tail "$dir"
            die "not ready after $timeout s (pid $pid still running; stop it with: $0 stop $dir)"
        fi
        sleep 0.2
    done
    if [ "$grant" = 1 ]; then
        isql "$sql" 'GRANT SPARQL_UPDATE TO "SPARQL";' || die "GRANT SPARQL_UPDATE failed"
    fi
    say "ready in $((SECONDS - started)) s: pid $pid, isql 127.0.0.1:$sql, folder $dir"
    echo "http://127.0.0.1:$http/sparql"
}

# --- stop and status -------------------------------------------------------------------------

wait_gone() {  # pid, seconds; true once the pid has exited
    local tries=$(($2 * 10))
    while kill -0 "$1" 2>/dev/null && [ "$tries" -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
    ! kill -0 "$1" 2>/dev/null
}

cmd_stop() {
    [ $# -eq 1 ] || usage
    local dir pid
    dir=$(cd "$1" 2>/dev/null && pwd) || die "no such folder: $1"
    pid=$(live_pid "$dir")
    if [ -z "$pid" ]; then
        rm -f "$dir/virtuoso.pid"
        say "not running in $dir"
        return 0
    fi
    isql "$(port_of "$dir" Parameters)" "shutdown;" || true
    if ! wait_gone "$pid" 20; then
        say "pid $pid did not shut down within 20 s; sending SIGTERM"
        kill "$pid" 2>/dev/null || true
        if ! wait_gone "$pid" 10; then
            say "pid $pid still alive; sending SIGKILL"
            kill -9 "$pid" 2>/dev/null || true
            wait_gone "$pid" 5 || die "could not stop pid $pid"
        fi
    fi
    rm -f "$dir/virtuoso.pid"
    say "stopped pid $pid"
}

cmd_status() {
    [ $# -eq 1 ] || usage
    local dir pid
    dir=$(cd "$1" 2>/dev/null && pwd) || { say "no such folder: $1"; exit 3; }
    pid=$(live_pid "$dir")
    if [ -z "$pid" ]; then
        echo "not running in $dir"
        exit 3
    fi
    local http sql
    http=$(port_of "$dir" HTTPServer); sql=$(port_of "$dir" Parameters)
    echo "running: pid $pid, http://127.0.0.1:$http/sparql, isql 127.0.0.1:$sql," \
        "GET /sparql?query=ASK{} -> $(http_status "$http")"
}

case ${1:-} in
    install) shift; [ $# -eq 0 ] || usage; cmd_install ;;
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    *) usage ;;
esac

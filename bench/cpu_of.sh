#!/bin/bash
# Runs a command in a cpuacct cgroup of its own and prints the CPU time (user + system) it and
# every process it started used, containers' own processes excepted (the runtime moves them to
# their cgroups). Needs root and the cgroup v1 cpuacct hierarchy.
#
# Usage: bench/cpu_of.sh NAME COMMAND [ARG...]     e.g. bench/cpu_of.sh a1 bench/pod_startup.py
set -euo pipefail
name=$1
shift
cg=/sys/fs/cgroup/cpuacct/bench-cpu-of-$name
mkdir "$cg"
trap 'rmdir "$cg" 2>/dev/null || true' EXIT
status=0
bash -c 'echo $$ > "$1/cgroup.procs"; shift; exec "$@"' _ "$cg" "$@" || status=$?
awk '{ printf "cpu_s %.2f\n", $1 / 1e9 }' "$cg/cpuacct.usage"
exit $status

#!/usr/bin/env python3
"""Resident memory of `berth server`: idle, and idle again after 20,000 ConfigMaps were created.

Starts `berth server` on a free port with a temporary data dir, waits 5 s, reads VmRSS from
/proc/PID/status; creates N small ConfigMaps (16 keep-alive HTTPS clients, ab, as
bench/api_creates.py does), waits 5 s and reads it again. Target: idle RSS <= 60 MB.

Usage: bench/server_rss.py [--build build] [-n 20000]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import api_creates  # noqa: E402

TARGET_MB = 60.0
# /work/shared/reference/orchestrator-anchors.md has no sourced k3s memory figure; none printed.


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(api_creates.REPO, "build"))
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("--idle", type=float, default=5.0, help="seconds to wait before reading")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-rss-", dir="/var/tmp")
    try:
        server = api_creates.Server(args.build, os.path.join(work, "data"))
        try:
            time.sleep(args.idle)
            idle = api_creates.rss_kb(server.proc.pid)
            server.request("POST", "/api/v1/namespaces", {
                "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
            body = os.path.join(work, "configmap.json")
            with open(body, "w") as f:
                json.dump({"apiVersion": "v1", "kind": "ConfigMap",
                           "metadata": {"generateName": "cm-"},
                           "data": {"key": "value", "other": "x" * 64}}, f)
            _, complete, _, non2xx = api_creates.run_ab(
                server.url + "/api/v1/namespaces/bench/configmaps", args.n, 16, body,
                ["Authorization: Bearer " + server.token])
            time.sleep(args.idle)
            loaded = api_creates.rss_kb(server.proc.pid)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}")
    print(f"berth server idle RSS: {idle / 1024:.1f} MB (target <= {TARGET_MB:.0f} MB: "
          f"{'met' if idle / 1024 <= TARGET_MB else 'MISSED'}; ratio to target "
          f"{idle / 1024 / TARGET_MB:.2f})")
    print(f"berth server RSS {args.idle:.0f} s after {complete - non2xx} ConfigMaps were created: "
          f"{loaded / 1024:.1f} MB")
    print("k3s: no sourced idle-memory figure in reference/orchestrator-anchors.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

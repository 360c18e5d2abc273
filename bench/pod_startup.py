#!/usr/bin/env python3
"""Pod startup latency through the control plane: create -> Running observed through a watch.

Starts the fixture registry and `berth up` (API server, scheduler, local agent as a node) with
a bridge, CIDR and data dir of its own, pulls the image with a warm-up pod, then creates 30 pods
one at a time, deletes them, and creates 100 through the API all at once (16 concurrent
clients; a node takes 110 pods).
A watch on the pods records when each is first seen bound (spec.nodeName) and Running; the
latency of a pod is from just before its POST until its Running event arrived. Prints p50 /
p90 / p99, the split create -> bound -> Running, and the ratio to the Kubernetes SLO (p99 <=
5 s, pre-pulled images; Berth's target is p99 <= 1 s). Cleans up: deletes the pods, waits for
them to go, stops berth by PID, removes the bridge and the data. Needs root.

Usage: bench/pod_startup.py [--build build] [--pods 100] [--sequential 30] [--up-arg=--workers ...]
"""

import argparse
import concurrent.futures
import os
import random
import shutil
import signal
import subprocess
import sys
import time

from berthlib import REPO, Api, Watch, bench_workspace, pct, wait_for

SLO_S = 5.0
TARGET_S = 1.0


def pod_watch(api, namespace, resource_version):
    """Watches pods in a namespace; `.bound` and `.running` record the first time each is seen
    bound and Running."""
    return Watch(api, f"/api/v1/namespaces/{namespace}/pods", resource_version,
                 {"bound": lambda p: bool(p.get("spec", {}).get("nodeName")),
                  "running": lambda p: p.get("status", {}).get("phase") == "Running"})


def pod(name, image):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"terminationGracePeriodSeconds": 1,
                     "containers": [{"name": "main", "image": image,
                                     "imagePullPolicy": "IfNotPresent",
                                     "command": ["sleep", "3600"]}]}}


def node_ready(api, node):
    obj = api.request("GET", f"/api/v1/nodes/{node}", ok404=True)
    if not obj:
        return False
    return any(c.get("type") == "Ready" and c.get("status") == "True"
               for c in obj.get("status", {}).get("conditions", []))


def run(args, work, registry):
    tag = "%04x" % random.randrange(0x10000)
    node, bridge, network = f"bench-{tag}", f"bs{tag}", f"bench-startup-{tag}"
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "berth.log"), "w")
    proc = subprocess.Popen(
        [os.path.join(args.build, "berth"), "--log-level", args.log_level, "up", "--data-dir", data,
         "--listen", "127.0.0.1:0", "--insecure-registry", registry, "--node-name", node,
         "--bridge", bridge, "--pod-cidr", "10.197.0.0/16", "--network-name", network]
        + args.up_arg,
        stdout=log, stderr=log)
    image = f"{registry}/berth/busybox:1"
    ns = "default"
    result = {}
    api = None
    try:
        wait_for(lambda: os.path.exists(os.path.join(data, "kubeconfig")), 60, "berth up")
        api = Api(data)
        wait_for(lambda: node_ready(api, node), 60, "node Ready")
        # Warm-up: pulls the image (the SLO excludes pulls) and warms the bridge.
        rv = api.request("GET", f"/api/v1/namespaces/{ns}/pods")["metadata"]["resourceVersion"]
        watch = pod_watch(api, ns, rv)
        watch.start()
        api.request("POST", f"/api/v1/namespaces/{ns}/pods", pod("warm", image))
        watch.wait_running({"warm"}, 120)

        created = {}

        def create(name):
            created[name] = time.monotonic()
            api.request("POST", f"/api/v1/namespaces/{ns}/pods", pod(name, image))

        def delete_all(timeout=300):
            for item in api.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"]:
                api.request("DELETE", f"/api/v1/namespaces/{ns}/pods/"
                                      f"{item['metadata']['name']}", ok404=True)
            wait_for(lambda: not api.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"],
                     timeout, "pods deleted")

        # One at a time first, then an empty node again (a node takes 110 pods).
        seq = [f"s{i}" for i in range(args.sequential)]
        for name in seq:
            create(name)
            watch.wait_running({name}, 60)
        result["seq"] = [watch.running[n] - created[n] for n in seq]
        result["seq_bound"] = [watch.bound[n] - created[n] for n in seq]
        delete_all()

        burst = [f"b{i}" for i in range(args.pods)]
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(create, burst))
        posted = time.monotonic() - t0
        watch.wait_running(set(burst), 300)
        result["burst"] = [watch.running[n] - created[n] for n in burst]
        result["burst_bound"] = [watch.bound[n] - created[n] for n in burst]
        result["burst_all"] = max(watch.running[n] for n in burst) - t0
        result["burst_posted"] = posted
        watch.close()
    finally:
        try:
            if api:
                for item in api.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"]:
                    api.request("DELETE", f"/api/v1/namespaces/{ns}/pods/"
                                          f"{item['metadata']['name']}", ok404=True)
                wait_for(lambda: not api.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"],
                         600, "pods deleted")
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            subprocess.run(["ip", "link", "del", bridge], capture_output=True)
            shutil.rmtree(f"/var/lib/cni/networks/{network}", ignore_errors=True)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--sequential", type=int, default=30)
    ap.add_argument("--log-level", default="warn")
    ap.add_argument("--keep-log", help="copy berth's log here")
    ap.add_argument("--up-arg", action="append", default=[],
                    help="extra argument of `berth up` (repeat: --up-arg=--workers --up-arg=8)")
    args = ap.parse_args()
    with bench_workspace("berth-bench-startup-", args.keep_log) as (work, registry):
        r = run(args, work, registry)
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}")

    def line(label, values, bound):
        ms = [v * 1000 for v in values]
        print(f"{label}: p50 {pct(ms, 50):6.0f} ms  p90 {pct(ms, 90):6.0f} ms  "
              f"p99 {pct(ms, 99):6.0f} ms  max {max(ms):6.0f} ms;  create->bound p50 "
              f"{pct(bound, 50) * 1000:.0f} ms p99 {pct(bound, 99) * 1000:.0f} ms")

    line(f"{len(r['burst'])} pods at once     ", r["burst"], r["burst_bound"])
    print(f"  (POSTs took {r['burst_posted'] * 1000:.0f} ms; last pod Running after "
          f"{r['burst_all'] * 1000:.0f} ms)")
    if r["seq"]:
        line(f"{len(r['seq'])} pods one at a time", r["seq"], r["seq_bound"])
    p99 = pct(r["burst"], 99)
    print(f"target p99 <= {TARGET_S:.0f} s: {'met' if p99 <= TARGET_S else 'MISSED'}; "
          f"ratio to the Kubernetes SLO (p99 5 s / berth p99, {len(r['burst'])} at once): "
          f"{SLO_S / p99:.1f}x")
    if r["seq"]:
        print(f"ratio to the Kubernetes SLO, one at a time (5 s / berth p99): "
              f"{SLO_S / pct(r['seq'], 99):.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

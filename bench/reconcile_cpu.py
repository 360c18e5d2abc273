#!/usr/bin/env python3
"""Steady-state CPU of the controllers with 1,000 Deployments x 3 replicas (issue 5).

Starts `berth server --no-controllers` (API server and scheduler), `berth controller-manager`
(the controllers, in a process of their own so that their CPU can be measured alone) and
`berth hollow-nodes` (nodes that report bound pods Running and Ready without containers,
posting node status and leases every 10 s like real agents). Creates the Deployments with 16
concurrent clients, waits until every one is available, lets the system settle, then samples
the CPU time of each process over a window. Target: the controllers under 5% of one core in
steady state. Peer: kube-controller-manager cannot run here; the script prints the ratio to
the target.

Usage: bench/reconcile_cpu.py [--build build] [--deployments 1000] [--replicas 3] [--window 60]
"""

import argparse
import concurrent.futures
import os
import shutil
import sys
import tempfile
import time

from berthlib import Api, cpu_seconds, rss_mb, start, stop, wait_for

TARGET_PERCENT = 5.0


def deployment(name, replicas):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"terminationGracePeriodSeconds": 0,
                                           "containers": [{"name": "main",
                                                           "image": "bench/busybox:1",
                                                           "resources": {"requests": {
                                                               "cpu": "1m",
                                                               "memory": "1Mi"}}}]}}}}


def available(api, path, want, replicas):
    items = api.request("GET", path)["items"]
    done = sum(1 for d in items if d.get("status", {}).get("availableReplicas") == replicas)
    print(f"  {done}/{want} deployments available", flush=True)
    return done == want


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--deployments", type=int, default=1000)
    p.add_argument("--replicas", type=int, default=3)
    p.add_argument("--nodes", type=int, default=30)
    p.add_argument("--settle", type=float, default=20)
    p.add_argument("--window", type=float, default=60)
    args = p.parse_args()
    berth = os.path.abspath(os.path.join(args.build, "berth"))
    work = tempfile.mkdtemp(prefix="berth-reconcile-", dir="/var/tmp")
    data = os.path.join(work, "data")
    procs = {}
    try:
        procs["server"] = start([berth, "server", "--data-dir", data, "--listen", "127.0.0.1:0",
                                 "--no-controllers"], os.path.join(work, "server.log"))
        wait_for(lambda: os.path.exists(os.path.join(data, "kubeconfig")), 60, "berth server")
        api = Api(data)
        procs["controllers"] = start([berth, "controller-manager", "--kubeconfig",
                                      api.kubeconfig], os.path.join(work, "controllers.log"))
        procs["hollow nodes"] = start([berth, "hollow-nodes", "--kubeconfig", api.kubeconfig,
                                       "--count", str(args.nodes)],
                                      os.path.join(work, "nodes.log"))
        wait_for(lambda: len(api.request("GET", "/api/v1/nodes")["items"]) == args.nodes, 60,
                 "hollow nodes registered")
        path = "/apis/apps/v1/namespaces/default/deployments"
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda i: api.request("POST", path,
                                                deployment(f"d{i}", args.replicas)),
                          range(args.deployments)))
        print(f"created {args.deployments} deployments in {time.monotonic() - t0:.1f} s")
        wait_for(lambda: available(api, path, args.deployments, args.replicas), 1200,
                 "deployments available", interval=5)
        print(f"all available {time.monotonic() - t0:.1f} s after the first create")
        time.sleep(args.settle)
        before = {k: cpu_seconds(pr.pid) for k, pr in procs.items()}
        time.sleep(args.window)
        after = {k: cpu_seconds(pr.pid) for k, pr in procs.items()}
        print(f"\nsteady state, {args.deployments} deployments x {args.replicas} replicas, "
              f"{args.nodes} hollow nodes, {args.window:.0f} s window:")
        for k, pr in procs.items():
            percent = 100.0 * (after[k] - before[k]) / args.window
            print(f"  {k:13s} {percent:5.2f}% of one core, RSS {rss_mb(pr.pid):.1f} MB")
        ctrl = 100.0 * (after["controllers"] - before["controllers"]) / args.window
        ratio = TARGET_PERCENT / ctrl if ctrl > 0 else float("inf")
        print(f"controllers: {ctrl:.2f}% of one core; target {TARGET_PERCENT}% -> "
              f"{ratio:.1f}x under it")
        return 0
    finally:
        for k in ("hollow nodes", "controllers", "server"):
            stop(procs.get(k))
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Controller overhead of a rolling update of 20 ready replicas (issue 5).

Starts `berth server` (API server, scheduler, controllers) and `berth hollow-nodes` (nodes that
report a bound pod Running and Ready at once, without containers), creates a Deployment of 20
replicas (RollingUpdate, maxSurge 25%, maxUnavailable 25%, minReadySeconds 0) and waits until
it is available. Then it changes the image N times and times each rollout: from the PATCH until
the Deployment reports observedGeneration = generation and 20 replicas, all updated and
available (old pods gone). On hollow nodes a new pod is ready as soon as it is bound, so the
readiness time the strategy forces is zero: the whole rollout time is overhead (controllers,
scheduler, API server and the node's status write). Target: at most 1 s. No peer runs here:
Kubernetes has no published figure for this; the script prints the ratio to the target.

Usage: bench/rolling_update.py [--build build] [--rollouts 5] [--replicas 20]
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

from berthlib import Api, start, stop, wait_for

TARGET_S = 1.0


def deployment(name, replicas, image):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "strategy": {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"terminationGracePeriodSeconds": 0,
                                           "containers": [{"name": "main", "image": image}]}}}}


def rolled_out(d, replicas):
    s = d.get("status", {})
    return (s.get("observedGeneration", 0) >= d["metadata"].get("generation", 0)
            and s.get("replicas") == replicas and s.get("updatedReplicas") == replicas
            and s.get("availableReplicas") == replicas)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", default="build")
    p.add_argument("--rollouts", type=int, default=5)
    p.add_argument("--replicas", type=int, default=20)
    p.add_argument("--nodes", type=int, default=4)
    args = p.parse_args()
    berth = os.path.abspath(os.path.join(args.build, "berth"))
    work = tempfile.mkdtemp(prefix="berth-rolling-", dir="/var/tmp")
    data = os.path.join(work, "data")
    server = nodes = None
    try:
        server = start([berth, "server", "--data-dir", data, "--listen", "127.0.0.1:0"],
                       os.path.join(work, "server.log"))
        wait_for(lambda: os.path.exists(os.path.join(data, "kubeconfig")), 60, "berth server")
        api = Api(data)
        nodes = start([berth, "hollow-nodes", "--kubeconfig", api.kubeconfig, "--count",
                       str(args.nodes)], os.path.join(work, "nodes.log"))
        wait_for(lambda: len(api.request("GET", "/api/v1/nodes")["items"]) == args.nodes, 60,
                 "hollow nodes registered")
        path = "/apis/apps/v1/namespaces/default/deployments"
        api.request("POST", path, deployment("web", args.replicas, "bench/busybox:0"))
        wait_for(lambda: rolled_out(api.request("GET", path + "/web"), args.replicas), 120,
                 "first rollout", interval=0.05)
        times = []
        for i in range(1, args.rollouts + 1):
            patch = {"spec": {"template": {"spec": {"containers": [
                {"name": "main", "image": f"bench/busybox:{i}"}]}}}}
            t0 = time.monotonic()
            api.request("PATCH", path + "/web", patch,
                        content_type="application/strategic-merge-patch+json")
            wait_for(lambda: rolled_out(api.request("GET", path + "/web"), args.replicas), 120,
                     f"rollout {i}", interval=0.005)
            times.append(time.monotonic() - t0)
            print(f"rollout {i}: {times[-1] * 1000:.0f} ms", flush=True)
        p50 = statistics.median(times)
        print(f"\n{args.replicas} replicas, maxSurge 25%, maxUnavailable 25%, {args.nodes} hollow "
              f"nodes, {args.rollouts} rollouts")
        print(f"rollout time (= overhead: readiness is instant) p50 {p50 * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms")
        print(f"ratio target / p50 = {TARGET_S / p50:.1f}x (target: overhead <= 1 s)")
        return 0
    finally:
        stop(nodes)
        stop(server)
        if os.environ.get("BENCH_KEEP"):
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

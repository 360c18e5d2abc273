#!/usr/bin/env python3
"""Container group start latency and rate through the ARM API, against `podman run -d`.

Starts the fixture registry and `berth up` (API server, scheduler, controllers, local agent
serving the instance pool) with a bridge, CIDR and data dir of its own, caches the image with a
warm-up group, then:
  sequential  creates --sequential groups one at a time (ARM PUT, 201) and waits for each to be
              Running: latency = from just before the PUT until its instanceView.state is
              Running as the API shows it;
  rate        creates --groups groups as fast as --clients concurrent clients can PUT them;
              groups/s = groups / (time from the first PUT until the last group is Running).
How Running is seen (--observe): `watch` (default) is a watch of the internal resource the ARM
GET is served from (containergroups.instances.berth.io, all namespaces), recording the first
event whose status.instanceView.state is Running; `poll` GETs each group through ARM every
--poll-ms on a kept-alive connection (costs CPU on the same 2 cores). After each phase every
group is read once through ARM GET and must say Running.
Then `podman run -d` of the same image (sequential, and the same rate test with the same
clients), and the ratios. ACI documents its start-up only as "seconds" ("start containers in
Azure in seconds", container-instances-overview); no percentile is published.
Cleans up: deletes the groups, waits for their pods to go, stops berth by PID, removes the
bridge and the data. Needs root.

Usage: bench/instances_start.py [--build build] [--sequential 30] [--groups 100] [--clients 4] [--cpu 0.01]
                                [--observe watch|poll] [--no-podman]
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

from berthlib import REPO, Api, Watch, bench_workspace, pct, wait_for

SUB = "00000000-0000-0000-0000-0000000be4c1"
VERSION = "api-version=2023-05-01"
TARGET_P50_MS = 100.0
TARGET_RATE = 20.0
ACI_DOCUMENTED = 'ACI documents "start containers in Azure in seconds" (no percentile published)'


def group_path(rg, name):
    return (f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.ContainerInstance/"
            f"containerGroups/{name}?{VERSION}")


def group_body(image, cpu, memory):
    return {"location": "local",
            "properties": {"osType": "Linux", "restartPolicy": "Never",
                           "containers": [{"name": "main", "properties": {
                               # Ends at once on SIGTERM: deleting 100 groups does not wait
                               # for 100 grace periods.
                               "image": image,
                               "command": ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
                               "resources": {"requests": {"cpu": cpu, "memoryInGB": memory}}}}]}}


def group_watch(api, resource_version, pods=False):
    """Watches the internal containergroups (or, with `pods`, the groups' pods); `.added` and
    `.running` record when each is first seen and first seen Running."""
    if pods:
        path = "/api/v1/pods?labelSelector=instances.berth.io%2Fgroup"
        state = lambda o: o.get("status", {}).get("phase")  # noqa: E731
    else:
        path = "/apis/instances.berth.io/v1/containergroups"
        state = lambda o: o.get("status", {}).get("instanceView", {}).get("state")  # noqa: E731
    return Watch(api, path, resource_version,
                 {"added": lambda o: True, "running": lambda o: state(o) == "Running"})


class Client:
    """One kept-alive HTTPS connection to the API server (a client of the rate test)."""

    def __init__(self, api):
        self.api = api
        self.conn = None

    def request(self, method, path, body=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.api.host, self.api.port,
                                                        context=self.api.ssl, timeout=60)
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None,
                                  headers={"Authorization": "Bearer " + self.api.token,
                                           "Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
                return resp.status, json.loads(data) if data else None
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        return None


class Poller:
    """Waits for groups to be Running by ARM GETs every `interval` seconds."""

    def __init__(self, api, rg, interval):
        self.client, self.rg, self.interval = Client(api), rg, interval
        self.lock = threading.Lock()

    def wait_running(self, names, timeout):
        deadline = time.monotonic() + timeout
        seen, left = {}, set(names)
        with self.lock:
            while left:
                for name in sorted(left):
                    status, body = self.client.request("GET", group_path(self.rg, name))
                    state = (body or {}).get("properties", {}).get("instanceView", {}).get("state")
                    if status == 200 and state == "Running":
                        seen[name] = time.monotonic()
                left -= seen.keys()
                if left and time.monotonic() > deadline:
                    raise TimeoutError(f"not Running: {sorted(left)[:5]}")
                if left:
                    time.sleep(self.interval)
        return seen


def node_ready(api, node):
    obj = api.request("GET", f"/api/v1/nodes/{node}", ok404=True)
    return bool(obj) and any(c.get("type") == "Ready" and c.get("status") == "True"
                             for c in obj.get("status", {}).get("conditions", []))


def check_running_through_arm(client, rg, names):
    for name in names:
        status, body = client.request("GET", group_path(rg, name))
        state = (body or {}).get("properties", {}).get("instanceView", {}).get("state")
        if status != 200 or state != "Running":
            raise RuntimeError(f"ARM GET of '{name}': HTTP {status}, state {state}")


def delete_groups(api, rg, names, timeout=600):
    """Deletes the groups and waits for their pods to go."""
    client = Client(api)
    for name in names:
        client.request("DELETE", group_path(rg, name))
    names = set(names)

    def gone():
        pods = api.request("GET", "/api/v1/pods?labelSelector=instances.berth.io%2Fgroup")
        return not any(p["metadata"]["name"] in names for p in pods["items"])

    wait_for(gone, timeout, "group pods deleted", interval=0.5)


def run_berth(args, work, registry):
    tag = "%04x" % random.randrange(0x10000)
    node, bridge, network = f"bench-{tag}", f"bi{tag}", f"bench-inst-{tag}"
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "berth.log"), "w")
    proc = subprocess.Popen(
        [os.path.join(args.build, "berth"), "--log-level", args.log_level, "up", "--data-dir", data,
         "--listen", "127.0.0.1:0", "--insecure-registry", registry, "--node-name", node,
         "--bridge", bridge, "--pod-cidr", "10.196.0.0/16", "--network-name", network,
         "--subscription-max-groups", "10000", "--subscription-max-cores", "10000"] + args.up_arg,
        stdout=log, stderr=log)
    image = f"{registry}/berth/busybox:1"
    rg = f"bench-{tag}"
    result = {}
    api = None
    created_names = []
    try:
        wait_for(lambda: os.path.exists(os.path.join(data, "kubeconfig")), 60, "berth up")
        api = Api(data)
        wait_for(lambda: node_ready(api, node), 60, "node Ready")
        rv = api.request("GET", "/apis/instances.berth.io/v1/containergroups")["metadata"][
            "resourceVersion"]
        watch = group_watch(api, rv)
        watch.start()
        # Where the time goes: the groups' pods (created by the controller, Running by the agent).
        pod_rv = api.request("GET", "/api/v1/pods")["metadata"]["resourceVersion"]
        pod_watch = group_watch(api, pod_rv, pods=True)
        pod_watch.start()
        observer = watch if args.observe == "watch" else Poller(api, rg, args.poll_ms / 1000.0)
        client = Client(api)
        created = {}

        def create(c, name):
            created[name] = time.monotonic()
            status, body = c.request("PUT", group_path(rg, name), group_body(image, args.cpu, args.memory))
            if status != 201:
                raise RuntimeError(f"PUT '{name}': HTTP {status}: {body}")
            created_names.append(name)

        # Warm-up: pulls the image (the target is for a cached image) and warms the bridge.
        create(client, "warm")
        observer.wait_running({"warm"}, 120)

        seq = [f"s{i}" for i in range(args.sequential)]
        seq_running = {}
        for name in seq:
            create(client, name)
            seq_running.update(observer.wait_running({name}, 60))
        result["seq"] = [(seq_running[n] - created[n]) * 1000 for n in seq]
        pod_watch.wait_running(set(seq), 10)
        result["split"] = {
            "PUT -> pod created": [(pod_watch.added[n] - created[n]) * 1000 for n in seq],
            "pod created -> pod Running": [(pod_watch.running[n] - pod_watch.added[n]) * 1000
                                           for n in seq],
            "pod Running -> group Running": [(seq_running[n] - pod_watch.running[n]) * 1000
                                             for n in seq]}
        check_running_through_arm(client, rg, seq)
        delete_groups(api, rg, seq)

        burst = [f"b{i}" for i in range(args.groups)]
        clients = [Client(api) for _ in range(args.clients)]
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda i: [create(clients[i], n) for n in burst[i::args.clients]],
                          range(args.clients)))
        result["posted_s"] = time.monotonic() - t0
        running = observer.wait_running(set(burst), 600)
        result["rate_s"] = max(running.values()) - t0
        result["burst"] = [(running[n] - created[n]) * 1000 for n in burst]
        check_running_through_arm(client, rg, burst)
        watch.close()
        pod_watch.close()
    finally:
        try:
            if api and created_names:
                delete_groups(api, rg, created_names)
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


def run_podman(args, work, registry):
    if args.no_podman or not shutil.which("podman"):
        return None
    image = f"{registry}/berth/busybox:1"
    p = ["podman", "--root", os.path.join(work, "podman/root"), "--runroot",
         os.path.join(work, "podman/runroot"), "--storage-driver=overlay",
         "--cgroup-manager=cgroupfs", "--events-backend=file", "--runtime=crun"]
    subprocess.run(p + ["pull", "--tls-verify=false", image], check=True, capture_output=True)
    run = p + ["run", "-d", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768",
               "--network=none", image, "sleep", "3600"]
    ids, result = [], {}

    def one():
        t = time.monotonic()
        out = subprocess.run(run, capture_output=True, text=True, check=True)
        ids.append(out.stdout.strip())
        return (time.monotonic() - t) * 1000

    try:
        one()  # warm-up
        result["seq"] = [one() for _ in range(args.sequential)]
        n = min(args.groups, args.podman_groups)
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda _: one(), range(n)))
        result["rate_s"], result["rate_n"] = time.monotonic() - t0, n
    finally:
        for i in range(0, len(ids), 50):
            subprocess.run(p + ["rm", "-f", "-t", "0"] + ids[i:i + 50], capture_output=True)
        subprocess.run(p + ["system", "reset", "-f"], capture_output=True)
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--sequential", type=int, default=30)
    ap.add_argument("--groups", type=int, default=100, help="groups of the rate test")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients of the rate test")
    ap.add_argument("--podman-groups", type=int, default=50, help="containers of podman's rate test")
    # The node's 2 cores must hold --groups groups: 100 x 0.01 vCPU. ACI semantics make the
    # request the CPU limit too (CFS quota), which slows the container's own start-up.
    ap.add_argument("--cpu", type=float, default=0.01, help="vCPU requested by each group")
    ap.add_argument("--memory", type=float, default=0.05, help="GB requested by each group")
    ap.add_argument("--observe", choices=["watch", "poll"], default="watch")
    ap.add_argument("--poll-ms", type=float, default=10.0)
    ap.add_argument("--no-podman", action="store_true")
    ap.add_argument("--log-level", default="warn")
    ap.add_argument("--keep-log", help="copy berth's log here")
    ap.add_argument("--up-arg", action="append", default=[],
                    help="extra argument of `berth up` (repeat: --up-arg=--workers --up-arg=8)")
    args = ap.parse_args()
    with bench_workspace("berth-bench-inst-", args.keep_log) as (work, registry):
        b = run_berth(args, work, registry)
        report_berth(args, b)
        try:
            pm = run_podman(args, work, registry)
        except subprocess.CalledProcessError as e:
            print(f"podman failed: {e}: {e.stderr}", file=sys.stderr)
            pm = None

    seq, burst = b["seq"], b["burst"]
    rate = len(burst) / b["rate_s"]
    if pm:
        prate = pm["rate_n"] / pm["rate_s"]
        print(f"podman run -d, {len(pm['seq'])} one at a time:     p50 {pct(pm['seq'], 50):6.1f} ms  "
              f"p99 {pct(pm['seq'], 99):6.1f} ms")
        print(f"podman run -d rate, {pm['rate_n']} by {args.clients} clients: {prate:5.1f} containers/s")
        print(f"ratios: podman p50 / berth p50 = {pct(pm['seq'], 50) / pct(seq, 50):.2f}x; "
              f"berth rate / podman rate = {rate / prate:.2f}x")
    print(ACI_DOCUMENTED + f"; berth p50 is {pct(seq, 50) / 1000:.3f} s")
    return 0


def report_berth(args, b):
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}; groups of "
          f"{args.cpu:g} vCPU / {args.memory:g} GB; Running observed by {args.observe}"
          + (f" every {args.poll_ms:g} ms" if args.observe == "poll" else ""))
    seq, burst = b["seq"], b["burst"]
    rate = len(burst) / b["rate_s"]
    print(f"berth ARM PUT -> Running, {len(seq)} one at a time: p50 {pct(seq, 50):6.1f} ms  "
          f"p99 {pct(seq, 99):6.1f} ms  (target p50 <= {TARGET_P50_MS:.0f} ms: "
          f"{'met' if pct(seq, 50) <= TARGET_P50_MS else 'MISSED'})")
    for what, values in b["split"].items():
        print(f"  {what:30s} p50 {pct(values, 50):6.1f} ms  p99 {pct(values, 99):6.1f} ms")
    print(f"berth rate, {len(burst)} groups by {args.clients} clients: {rate:5.1f} groups/s "
          f"(PUTs took {b['posted_s'] * 1000:.0f} ms, all Running after "
          f"{b['rate_s'] * 1000:.0f} ms; per group p50 {pct(burst, 50):.0f} ms p99 "
          f"{pct(burst, 99):.0f} ms)  (target >= {TARGET_RATE:.0f}/s: "
          f"{'met' if rate >= TARGET_RATE else 'MISSED'})", flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Durable creates per second through the Berth API server (SQLite, synchronous=FULL).

Starts `berth server` on a free port with a temporary data dir and creates N small ConfigMaps
(metadata.generateName, so every name is new) with 16 concurrent keep-alive HTTPS clients
(`ab -k` from apache2-utils). Prints creates/s and the ratio to the target (3,000/s), and checks
afterwards that the number of ConfigMaps stored equals the number of acknowledged creates.

Peer: when `etcd` is installed, starts a local etcd (its own data dir, fsync on) and runs the
same load against its v3 JSON gateway (POST /v3/kv/put of small keys, 16 concurrent keep-alive
clients with `ab`), and prints Berth/etcd. etcd over plain HTTP; Berth over TLS.

Usage: bench/api_creates.py [--build build] [-n 20000] [-c 16] [--keep DIR]
"""

import argparse
import base64
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 3000.0


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Server:
    """A `berth server` on a free port; stopped by PID."""

    def __init__(self, build, data_dir, extra=()):
        self.data_dir = data_dir
        kubeconfig = os.path.join(data_dir, "kubeconfig")
        if os.path.exists(kubeconfig):
            os.remove(kubeconfig)  # a restart: wait for the new one (new port)
        self.log = open(data_dir + ".log", "a")
        self.proc = subprocess.Popen(
            [os.path.join(build, "berth"), "--log-level", "warn", "server", "--data-dir", data_dir,
             "--listen", "127.0.0.1:0", *extra], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while not os.path.exists(kubeconfig):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"berth server did not start (see {self.log.name})")
            time.sleep(0.05)
        text = open(kubeconfig).read()
        self.url = re.search(r"server: (\S+)", text).group(1)
        self.token = re.search(r"token: (\S+)", text).group(1)
        self.ssl = ssl.create_default_context(cafile=os.path.join(data_dir, "pki", "ca.crt"))

    def request(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=self.ssl, timeout=60) as r:
            return json.load(r)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def run_ab(url, n, c, body_file, headers=()):
    """Runs ab; returns (requests/s, completed, failed, non-2xx)."""
    cmd = ["ab", "-q", "-k", "-r", "-s", "60", "-c", str(c), "-n", str(n), "-p", body_file,
           "-T", "application/json"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"ab failed: {out.stderr.strip()[-500:]}")
    text = out.stdout

    def num(pattern, default=0.0):
        m = re.search(pattern, text)
        return float(m.group(1)) if m else default

    # ab counts a response whose length differs from the first one's as "failed (Length)";
    # created objects differ in length (names, uids, resourceVersions), so only connect,
    # receive and exception failures are failures here.
    failed = sum(int(num(rf"{kind}: (\d+)")) for kind in ("Connect", "Receive", "Exceptions"))
    return (num(r"Requests per second:\s+([\d.]+)"), int(num(r"Complete requests:\s+(\d+)")),
            failed, int(num(r"Non-2xx responses:\s+(\d+)")))


def bench_berth(args, work):
    data = os.path.join(work, "berth")
    server = Server(args.build, data)
    try:
        server.request("POST", "/api/v1/namespaces",
                       {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "bench"}})
        body = os.path.join(work, "configmap.json")
        with open(body, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"generateName": "cm-"},
                       "data": {"key": "value", "other": "x" * 64}}, f)
        url = server.url + "/api/v1/namespaces/bench/configmaps"
        auth = "Authorization: Bearer " + server.token
        # Warm-up (connections, caches), not counted.
        run_ab(url, 200, args.concurrency, body, [auth])
        before = len(server.request("GET", "/api/v1/namespaces/bench/configmaps")["items"])
        t0 = time.monotonic()
        rate, complete, failed, non2xx = run_ab(url, args.n, args.concurrency, body, [auth])
        elapsed = time.monotonic() - t0
        acknowledged = complete - failed - non2xx
        stored = len(server.request("GET", "/api/v1/namespaces/bench/configmaps")["items"]) - before
        rss = rss_kb(server.proc.pid)
    finally:
        server.stop()
    # Durability check across a restart: every acknowledged create is on disk.
    server = Server(args.build, data)
    try:
        after_restart = len(server.request("GET",
                                           "/api/v1/namespaces/bench/configmaps")["items"]) - before
    finally:
        server.stop()
    return {"rate": rate, "elapsed": elapsed, "complete": complete, "failed": failed,
            "non2xx": non2xx, "acknowledged": acknowledged, "stored": stored,
            "after_restart": after_restart, "rss_kb": rss}


def bench_etcd(args, work):
    etcd = shutil.which("etcd")
    if not etcd:
        return None
    client, peer = free_port(), free_port()
    data = os.path.join(work, "etcd")
    log = open(os.path.join(work, "etcd.log"), "w")
    proc = subprocess.Popen(
        [etcd, "--data-dir", data, "--listen-client-urls", f"http://127.0.0.1:{client}",
         "--advertise-client-urls", f"http://127.0.0.1:{client}",
         "--listen-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-advertise-peer-urls", f"http://127.0.0.1:{peer}",
         "--initial-cluster", f"default=http://127.0.0.1:{peer}"],
        stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{client}/v3/kv/put"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{client}/health", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("etcd did not start")
                time.sleep(0.1)
        # ab sends the same body each time: one key, overwritten, like etcd's `benchmark put`
        # with --key-space-size 1. The value has the size of the configmap's JSON.
        body = os.path.join(work, "put.json")
        with open(body, "w") as f:
            json.dump({"key": base64.b64encode(b"/registry/configmaps/bench/cm").decode(),
                       "value": base64.b64encode(b"v" * 300).decode()}, f)
        run_ab(url, 200, args.concurrency, body)
        rate, complete, failed, non2xx = run_ab(url, args.n, args.concurrency, body)
        return {"rate": rate, "complete": complete, "failed": failed, "non2xx": non2xx}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("-n", type=int, default=20000)
    ap.add_argument("-c", "--concurrency", type=int, default=16)
    args = ap.parse_args()
    if not shutil.which("ab"):
        print("ab (apache2-utils) is missing", file=sys.stderr)
        return 1
    work = tempfile.mkdtemp(prefix="berth-bench-api-", dir="/var/tmp")
    try:
        b = bench_berth(args, work)
        e = bench_etcd(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}; data dir on /var/tmp")
    print(f"berth: {b['complete']} ConfigMap creates, {args.concurrency} keep-alive HTTPS clients "
          f"(ab): {b['rate']:.0f} creates/s ({b['elapsed']:.1f} s); failed {b['failed']}, "
          f"non-2xx {b['non2xx']}")
    print(f"berth: acknowledged {b['acknowledged']}, stored {b['stored']}, "
          f"after restart {b['after_restart']}; server RSS after the run "
          f"{b['rss_kb'] / 1024:.1f} MB")
    print(f"ratio to the target ({TARGET:.0f}/s): {b['rate'] / TARGET:.2f}x")
    if e:
        print(f"etcd v3 gateway puts ({args.concurrency} keep-alive HTTP clients, ab): "
              f"{e['rate']:.0f} puts/s; failed {e['failed']}, non-2xx {e['non2xx']}")
        print(f"ratio berth/etcd: {b['rate'] / e['rate']:.2f}x")
    else:
        print("etcd: not installed (apt-get install etcd-server), no peer run")
    ok = b["acknowledged"] == b["stored"] == b["after_restart"] and b["acknowledged"] > 0
    if not ok:
        print("ERROR: stored ConfigMaps differ from acknowledged creates", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

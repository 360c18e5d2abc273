#!/usr/bin/env python3
"""Pod start latency of `berth agent` against `podman run`, on a cached image.

Latency = from the moment a pod manifest is written (Berth) or `podman run` is invoked (podman)
until the container's process runs, observed by inotify on a host directory the container
touches a file in as its first act. 50 sequential and 20 concurrent pods; p50 and p99; agent and
monitor RSS with 50 pods running. Prints a ratio. Needs root, the built binary and the fixture
registry (started and stopped here by PID).

Usage: bench/pod_start.py [--build build] [--sequential 50] [--concurrent 20]
"""

import argparse
import ctypes
import os
import random
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IN_CREATE, IN_MOVED_TO = 0x100, 0x80
libc = ctypes.CDLL("libc.so.6", use_errno=True)


class Inotify:
    """Creation times (monotonic) of files in one directory."""

    def __init__(self, path):
        self.fd = libc.inotify_init1(os.O_CLOEXEC)
        if self.fd < 0 or libc.inotify_add_watch(self.fd, path.encode(), IN_CREATE | IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), "inotify")
        self.seen = {}

    def wait_for(self, names, timeout):
        deadline = time.monotonic() + timeout
        while not names <= self.seen.keys():
            import select
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"missing {sorted(names - self.seen.keys())[:5]}")
            r, _, _ = select.select([self.fd], [], [], left)
            if not r:
                continue
            now = time.monotonic()
            buf = os.read(self.fd, 65536)
            off = 0
            while off < len(buf):
                _, _, _, length = struct.unpack_from("iIII", buf, off)
                name = buf[off + 16: off + 16 + length].rstrip(b"\0").decode()
                off += 16 + length
                self.seen.setdefault(name, now)
        return self.seen


def pct(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def monitor_pids(root):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"berth-monitor") and any(root.encode() in a for a in args):
            out.append(int(d))
    return out


def manifest(name, image, watch):
    return f"""apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: bench
    hostPath:
      path: {watch}
  containers:
  - name: main
    image: {image}
    imagePullPolicy: IfNotPresent
    command: ["sh", "-c", "touch /bench/{name}; exec sleep 3600"]
    volumeMounts:
    - name: bench
      mountPath: /bench
"""


def write_atomic(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def run_berth(args, work, image, registry):
    root = os.path.join(work, "agent")
    manifests = os.path.join(work, "manifests")
    watch = os.path.join(work, "watch-berth")
    os.makedirs(manifests)
    os.makedirs(watch)
    tag = "%04x" % random.randrange(0x10000)
    log = open(os.path.join(work, "agent.log"), "w")
    agent = subprocess.Popen(
        [os.path.join(args.build, "berth"), "--log-level", args.log_level, "agent", "--root", root, "--pod-manifest-path", manifests,
         "--insecure-registry", registry, "--bridge", "bb" + tag, "--pod-cidr", "10.199.0.0/16",
         "--network-name", "bench-" + tag, "--listen", "127.0.0.1:0", "--workers", "8",
         "--sandbox-pool-size", str(args.sandbox_pool)],
        stdout=log, stderr=log)
    result = {}
    try:
        subprocess.run([os.path.join(args.build, "berth"), "image", "pull", "--root", root,
                        "--insecure-registry", registry, image], check=True, capture_output=True)
        ino = Inotify(watch)
        # Warm-up pod: first use of the bridge and cgroup hierarchy.
        write_atomic(os.path.join(manifests, "warm.yaml"), manifest("warm", image, watch))
        ino.wait_for({"warm"}, 60)

        seq = []
        for i in range(args.sequential):
            name = f"s{i}"
            t0 = time.monotonic()
            write_atomic(os.path.join(manifests, name + ".yaml"), manifest(name, image, watch))
            seen = ino.wait_for({name}, 60)
            seq.append((seen[name] - t0) * 1000)
        time.sleep(1)
        result["agent_rss_kb"] = rss_kb(agent.pid)
        mons = monitor_pids(root)
        result["monitors"] = len(mons)
        result["monitor_rss_kb"] = sum(rss_kb(p) for p in mons)

        names = {f"c{i}" for i in range(args.concurrent)}
        t0 = time.monotonic()
        for name in sorted(names):
            write_atomic(os.path.join(manifests, name + ".yaml"), manifest(name, image, watch))
        seen = ino.wait_for(names, 120)
        conc = [(seen[n] - t0) * 1000 for n in names]
        result["seq"], result["conc"] = seq, conc
    finally:
        for f in os.listdir(manifests):
            os.remove(os.path.join(manifests, f))
        deadline = time.monotonic() + 300
        pods = os.path.join(root, "pods")
        while time.monotonic() < deadline and os.path.isdir(pods) and os.listdir(pods):
            time.sleep(0.2)
        agent.send_signal(signal.SIGTERM)
        agent.wait()
        log.close()
        if args.keep_log:
            shutil.copy(os.path.join(work, "agent.log"), args.keep_log)
        subprocess.run(["ip", "link", "del", "bb" + tag], capture_output=True)
        shutil.rmtree(f"/var/lib/cni/networks/bench-{tag}", ignore_errors=True)
    return result


def run_podman(args, work, image, registry):
    if not shutil.which("podman"):
        return None
    watch = os.path.join(work, "watch-podman")
    os.makedirs(watch)
    p = ["podman", "--root", os.path.join(work, "podman/root"), "--runroot",
         os.path.join(work, "podman/runroot"), "--storage-driver=overlay",
         "--cgroup-manager=cgroupfs", "--events-backend=file", "--runtime=crun"]
    subprocess.run(p + ["pull", "--tls-verify=false", image], check=True, capture_output=True)
    ino = Inotify(watch)
    run = p + ["run", "-d", "--rm", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768",
               "--network=none", "-v", f"{watch}:/bench", image, "sh", "-c"]
    times, ids = [], []
    try:
        for i in range(min(args.sequential, 20)):
            name = f"p{i}"
            t0 = time.monotonic()
            out = subprocess.run(run + [f"touch /bench/{name}; exec sleep 3600"], capture_output=True,
                                 text=True, check=True)
            ids.append(out.stdout.strip())
            seen = ino.wait_for({name}, 60)
            times.append((seen[name] - t0) * 1000)
    finally:
        if ids:
            subprocess.run(p + ["rm", "-f", "-t", "0"] + ids, capture_output=True)
        subprocess.run(p + ["system", "reset", "-f"], capture_output=True)
    return times


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--sequential", type=int, default=50)
    ap.add_argument("--concurrent", type=int, default=20)
    ap.add_argument("--sandbox-pool", type=int, default=4, help="berth agent --sandbox-pool-size")
    ap.add_argument("--no-podman", action="store_true")
    ap.add_argument("--log-level", default="warn", help="the agent's; its log is kept with --keep-log")
    ap.add_argument("--keep-log", help="copy the agent's log here")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="berth-bench-")
    regdir = os.path.join(work, "registry")
    subprocess.run([os.path.join(REPO, "scripts/test-registry"), "start", regdir], check=True,
                   stdout=subprocess.DEVNULL)
    try:
        registry = open(os.path.join(regdir, "address")).read().strip()
        image = f"{registry}/berth/busybox:1"
        b = run_berth(args, work, image, registry)
        pm = None if args.no_podman else run_podman(args, work, image, registry)
    finally:
        subprocess.run([os.path.join(REPO, "scripts/test-registry"), "stop", regdir])
    print(f"machine: {os.cpu_count()} cores, kernel {os.uname().release}; "
          f"berth sandbox pool {args.sandbox_pool}")
    print(f"berth sequential ({len(b['seq'])} pods):  p50 {pct(b['seq'], 50):7.1f} ms   p99 {pct(b['seq'], 99):7.1f} ms")
    print(f"berth concurrent ({len(b['conc'])} pods):  p50 {pct(b['conc'], 50):7.1f} ms   p99 {pct(b['conc'], 99):7.1f} ms")
    print(f"agent RSS with {len(b['seq'])} pods: {b['agent_rss_kb'] / 1024:.1f} MB; "
          f"{b['monitors']} monitors: {b['monitor_rss_kb'] / 1024:.1f} MB total "
          f"({b['monitor_rss_kb'] / max(1, b['monitors']) / 1024:.2f} MB each)")
    if pm:
        print(f"podman run -d --rm ({len(pm)} runs):      p50 {pct(pm, 50):7.1f} ms   p99 {pct(pm, 99):7.1f} ms")
        print(f"ratio (podman p50 / berth sequential p50): {pct(pm, 50) / pct(b['seq'], 50):.1f}x")
    # Never delete through a mount: a pod that was not torn down keeps its root file system here.
    with open("/proc/self/mountinfo") as f:
        if work in f.read():
            print(f"warning: mounts left under {work}; not removing it", file=sys.stderr)
            return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

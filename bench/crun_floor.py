#!/usr/bin/env python3
"""The floor under pod start-up on this machine: bare `crun run -d` of the busybox fixture.

Unpacks the busybox fixture image (scripts/fixtures/build-images output) into a bundle with a
read-only root shared by every container, then starts `sleep 3600` containers with `crun run
-d`: N one after the other, then N all at once from N threads. Prints per-container latency
(the call's wall time) p50/p99 and the batch's total. No network namespace set-up, no cgroup
limits, no monitor, no API: what is left when everything Berth adds is taken away — the floor
the pod start (issue 2) and 100-pod burst (issue 3) targets sit on. Kills and deletes its
containers by name (floor-<pid>-<i>) and removes the bundle. Needs root.

Usage: bench/crun_floor.py [--images build/test-registry/images] [--n 100]
"""

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def start(bundle, cid):
    t = time.monotonic()
    # Nothing may stay connected to the detached container's stdio, or the call never returns.
    r = subprocess.run(["crun", "run", "-d", "--bundle", bundle, cid], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if r.returncode != 0:
        raise RuntimeError(f"crun run {cid}: exit {r.returncode}")
    return time.monotonic() - t


def report(what, lat, total):
    lat = sorted(lat)
    p99 = lat[max(0, int(round(0.99 * (len(lat) - 1))))]
    print(f"{what}: p50 {lat[len(lat) // 2] * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
          f"all started in {total:.2f} s")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--images", default="build/test-registry/images")
    p.add_argument("--n", type=int, default=100)
    args = p.parse_args()
    work = tempfile.mkdtemp(prefix="berth-floor-", dir="/var/tmp")
    bundle = os.path.join(work, "bundle")
    ids = []
    try:
        subprocess.run(["umoci", "unpack", "--image",
                        os.path.join(args.images, "oci") + ":busybox", bundle],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        path = os.path.join(bundle, "config.json")
        config = json.load(open(path))
        config["process"]["args"] = ["sleep", "3600"]
        config["process"]["terminal"] = False
        config["root"]["readonly"] = True
        json.dump(config, open(path, "w"))
        for mode in ("one after the other", "all at once"):
            batch = [f"floor-{os.getpid()}-{len(ids) + i}" for i in range(args.n)]
            ids += batch
            t0 = time.monotonic()
            if mode == "all at once":
                with concurrent.futures.ThreadPoolExecutor(args.n) as pool:
                    lat = list(pool.map(lambda c: start(bundle, c), batch))
            else:
                lat = [start(bundle, c) for c in batch]
            report(f"{args.n} bare crun containers, {mode}", lat, time.monotonic() - t0)
        return 0
    finally:
        for cid in ids:
            subprocess.run(["crun", "kill", cid, "KILL"], capture_output=True)
        time.sleep(0.5)
        for cid in ids:
            subprocess.run(["crun", "delete", "-f", cid], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

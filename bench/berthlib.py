"""Shared pieces of the control-plane benchmarks: a small API client, process handling, stats."""

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pct(values, p):
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


class Api:
    """JSON requests to the API server of a berth data dir (its kubeconfig and CA)."""

    def __init__(self, data_dir):
        self.kubeconfig = os.path.join(data_dir, "kubeconfig")
        text = open(self.kubeconfig).read()
        self.url = re.search(r"server: (\S+)", text).group(1)
        self.token = re.search(r"token: (\S+)", text).group(1)
        self.ssl = ssl.create_default_context(cafile=os.path.join(data_dir, "pki", "ca.crt"))
        parsed = urllib.parse.urlparse(self.url)
        self.host, self.port = parsed.hostname, parsed.port

    def request(self, method, path, body=None, ok404=False, content_type="application/json"):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": "Bearer " + self.token, "Content-Type": content_type})
        try:
            with urllib.request.urlopen(req, context=self.ssl, timeout=60) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            if ok404 and e.code == 404:
                return None
            raise


class Watch(threading.Thread):
    """A watch of `path` (a list URL) from `resource_version`. `marks` maps a name to a predicate
    of the watched object; for each mark, the attribute of that name maps each object name to the
    first time (time.monotonic()) the predicate held for it."""

    def __init__(self, api, path, resource_version, marks):
        super().__init__(daemon=True)
        self.marks = marks
        for mark in marks:
            setattr(self, mark, {})
        self.ended = None
        self.cv = threading.Condition()
        self.conn = http.client.HTTPSConnection(api.host, api.port, context=api.ssl, timeout=600)
        separator = "&" if "?" in path else "?"
        self.conn.request("GET", f"{path}{separator}watch=true&resourceVersion={resource_version}",
                          headers={"Authorization": "Bearer " + api.token})
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise RuntimeError(f"watch: HTTP {self.resp.status}")

    def run(self):
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    self.end("the watch stream ended")
                    return
                now = time.monotonic()
                obj = json.loads(line).get("object", {})
                name = obj.get("metadata", {}).get("name", "")
                with self.cv:
                    for mark, holds in self.marks.items():
                        if holds(obj):
                            getattr(self, mark).setdefault(name, now)
                    self.cv.notify_all()
        except (OSError, ValueError, AttributeError, http.client.HTTPException) as e:
            self.end(f"the watch failed: {e}")

    def end(self, why):
        with self.cv:
            self.ended = why
            self.cv.notify_all()

    def wait_marked(self, mark, names, timeout):
        """Waits until every object of `names` reached `mark`; returns their times."""
        seen = getattr(self, mark)
        deadline = time.monotonic() + timeout
        with self.cv:
            while not names <= seen.keys():
                if self.ended:
                    raise RuntimeError(self.ended)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"not {mark}: {sorted(names - seen.keys())[:5]}")
                self.cv.wait(left)
        return {n: seen[n] for n in names}

    def wait_running(self, names, timeout):
        return self.wait_marked("running", names, timeout)

    def close(self):
        try:
            self.resp.fp.raw._sock.shutdown(2)  # ends the blocked readline() of run()
        except (AttributeError, OSError):
            pass
        self.resp.close()
        self.conn.close()


@contextlib.contextmanager
def bench_workspace(prefix, keep_log=None):
    """A work dir under /var/tmp with the fixture registry started in it: yields (work, registry
    address). Afterwards the registry is stopped by PID, berth.log is copied to `keep_log`, and
    the dir is removed unless something is still mounted under it (never delete through a
    mount: a pod that was not torn down keeps its root there)."""
    work = tempfile.mkdtemp(prefix=prefix, dir="/var/tmp")
    regdir = os.path.join(work, "registry")
    script = os.path.join(REPO, "scripts/test-registry")
    subprocess.run([script, "start", regdir], check=True, stdout=subprocess.DEVNULL)
    try:
        with open(os.path.join(regdir, "address")) as f:
            yield work, f.read().strip()
    finally:
        subprocess.run([script, "stop", regdir])
        if keep_log:
            shutil.copy(os.path.join(work, "berth.log"), keep_log)
        with open("/proc/self/mountinfo") as f:
            if work in f.read():
                print(f"warning: mounts left under {work}; not removing it", file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)


def wait_for(predicate, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(what)


def start(argv, log_path):
    """Starts a process with its output in log_path; stop it with stop()."""
    log = open(log_path, "w")
    return subprocess.Popen(argv, stdout=log, stderr=log)


def stop(proc, timeout=30):
    """SIGTERM by PID, SIGKILL if it does not end in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0

#!/usr/bin/env python3
"""Captures the request bodies kubectl sends for the commands that use protobuf in 1.32.

Runs a logging fake API server (stdlib only) on a free loopback port, points kubectl at it
with a private kubeconfig, HOME and cache dir, and runs each command twice:

  * with /version answering minor "32": the dispatcher runs the built-in kubectl 1.32, which
    sends a protobuf body -> OUTDIR/<case>.pb (the raw body, starting with "k8s\\0");
  * with /version answering minor "31": kubectl 1.31 sends the same object as JSON
    -> OUTDIR/<case>.kubectl131.json (pretty-printed),
    and OUTDIR/<case>.json, the expected decode of the .pb: the same JSON without null values
    (Go writes a zero creationTimestamp as null; Berth's decoder omits it).

Usage: scripts/dev/capture-kubectl-bodies.py [OUTDIR]
  (default OUTDIR: test/unit/apiserver/testdata/protobuf). Writes OUTDIR/requests.log too
  when --log is given. Nothing outside a temporary directory and OUTDIR is written.
"""

import argparse
import base64
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.parse

DISCOVERY_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource(name, kind, group="", version="", scope="Namespaced"):
    return {"resource": name, "responseKind": {"group": group, "version": version, "kind": kind},
            "scope": scope, "verbs": VERBS}


def discovery(groups):
    items = []
    for group, versions in groups:
        items.append({"metadata": {"name": group},
                      "versions": [{"version": v, "resources": r} for v, r in versions]})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": items}


CORE = discovery([("", [("v1", [
    resource("namespaces", "Namespace", scope="Cluster"),
    resource("nodes", "Node", scope="Cluster"),
    resource("pods", "Pod"),
    resource("configmaps", "ConfigMap"),
    resource("secrets", "Secret"),
    resource("services", "Service"),
])])])

HPA_V = [resource("horizontalpodautoscalers", "HorizontalPodAutoscaler", "autoscaling", v)
         for v in ("v2", "v1")]
GROUPS = discovery([
    ("apps", [("v1", [dict(resource("deployments", "Deployment", "apps", "v1"), subresources=[
        {"subresource": "scale", "verbs": ["get", "patch", "update"],
         "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}}])])]),
    ("batch", [("v1", [resource("jobs", "Job", "batch", "v1"),
                       resource("cronjobs", "CronJob", "batch", "v1")])]),
    ("autoscaling", [("v2", [HPA_V[0]]), ("v1", [HPA_V[1]])]),
])

# Legacy /api/v1 without pods/eviction, so that drain falls back to DELETE with a body.
LEGACY_V1 = {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
    {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod", "verbs": VERBS},
    {"name": "nodes", "singularName": "node", "namespaced": False, "kind": "Node", "verbs": VERBS},
]}

DEPLOYMENT = {"kind": "Deployment", "apiVersion": "apps/v1",
              "metadata": {"name": "web", "namespace": "default", "uid": "u-web",
                           "resourceVersion": "5"},
              "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "httpd",
                                                             "image": "reg.local/berth/httpd:1"}]}}}}
NODE = {"kind": "Node", "apiVersion": "v1",
        "metadata": {"name": "node-1", "uid": "u-node", "resourceVersion": "7"}, "spec": {}}
POD = {"kind": "Pod", "apiVersion": "v1",
       "metadata": {"name": "web-1", "namespace": "default", "uid": "u-pod", "resourceVersion": "9",
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                                         "name": "web-abc", "uid": "u-rs", "controller": True}]},
       "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox"}]},
       "status": {"phase": "Running"}}


class State:
    def __init__(self):
        self.minor = "32"
        self.reply_name = "x"
        self.pod_deleted = False
        self.bodies = []  # (method, path, content-type, bytes)
        self.log = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj, content_type="application/json"):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def not_found(self):
        self.reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                         "reason": "NotFound", "code": 404, "message": "not found"})

    def handle_any(self):
        st = self.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        ct = self.headers.get("Content-Type", "")
        st.log.append({"method": self.command, "path": self.path, "contentType": ct,
                       "body": base64.b64encode(body).decode()})
        if body:
            st.bodies.append((self.command, path, ct, body))
        if path == "/version":
            return self.reply(200, {"major": "1", "minor": st.minor,
                                    "gitVersion": f"v1.{st.minor}.0", "gitCommit": "0",
                                    "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z",
                                    "goVersion": "go1.23.4", "compiler": "gc",
                                    "platform": "linux/amd64"})
        if path == "/api":
            return self.reply(200, CORE, DISCOVERY_CT)
        if path == "/apis":
            return self.reply(200, GROUPS, DISCOVERY_CT)
        if path == "/api/v1":
            return self.reply(200, LEGACY_V1)
        if self.command == "GET" and path == "/apis/apps/v1/namespaces/default/deployments/web":
            return self.reply(200, DEPLOYMENT)
        if path == "/api/v1/nodes/node-1":
            return self.reply(200, NODE)
        if self.command == "GET" and path == "/api/v1/pods":
            items = [] if st.pod_deleted else [POD]
            return self.reply(200, {"kind": "PodList", "apiVersion": "v1",
                                    "metadata": {"resourceVersion": "10"}, "items": items})
        if path == "/api/v1/namespaces/default/pods/web-1":
            if self.command == "DELETE" and not st.pod_deleted:
                st.pod_deleted = True
                return self.reply(200, POD)
            return self.not_found()
        if self.command == "POST":
            kind = {"namespaces": "Namespace", "configmaps": "ConfigMap", "secrets": "Secret",
                    "services": "Service", "deployments": "Deployment", "jobs": "Job",
                    "cronjobs": "CronJob",
                    "horizontalpodautoscalers": "HorizontalPodAutoscaler"}.get(
                        path.rsplit("/", 1)[-1], "Unknown")
            meta = {"name": st.reply_name, "uid": "u-new", "resourceVersion": "11"}
            if "/namespaces/" in path:
                meta["namespace"] = "default"
            parts = path.split("/")
            api_version = "v1" if parts[1] == "api" else f"{parts[2]}/{parts[3]}"
            return self.reply(201, {"kind": kind, "apiVersion": api_version, "metadata": meta})
        return self.not_found()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


# (case, kubectl arguments, name of the created object, path of the request to keep)
CASES = [
    ("namespace", ["create", "namespace", "team-a"], "team-a", "/api/v1/namespaces"),
    ("configmap", ["create", "configmap", "cfg", "--from-literal=a=1", "--from-literal=b=two"],
     "cfg", "/api/v1/namespaces/default/configmaps"),
    ("configmap_binary", ["create", "configmap", "bin", "--from-file=blob={blob}",
                          "--from-literal=text=plain"],
     "bin", "/api/v1/namespaces/default/configmaps"),
    ("secret", ["create", "secret", "generic", "s", "--from-literal=password=s3cret"], "s",
     "/api/v1/namespaces/default/secrets"),
    ("secret_docker", ["create", "secret", "docker-registry", "regcred",
                       "--docker-server=reg.local", "--docker-username=u",
                       "--docker-password=p"], "regcred", "/api/v1/namespaces/default/secrets"),
    ("deployment", ["create", "deployment", "web", "--image=reg.local/berth/httpd:1",
                    "--replicas=3", "--port=80"], "web",
     "/apis/apps/v1/namespaces/default/deployments"),
    ("deployment_multi", ["create", "deployment", "multi", "--image=busybox", "--image=nginx:1"],
     "multi",
     "/apis/apps/v1/namespaces/default/deployments"),
    ("service_clusterip", ["create", "service", "clusterip", "web", "--tcp=80:8080"], "web",
     "/api/v1/namespaces/default/services"),
    ("service_headless", ["create", "service", "clusterip", "hl", "--clusterip=None",
                          "--tcp=5678:8080"], "hl", "/api/v1/namespaces/default/services"),
    ("service_nodeport", ["create", "service", "nodeport", "np", "--tcp=80:http",
                          "--node-port=30080"], "np", "/api/v1/namespaces/default/services"),
    ("service_externalname", ["create", "service", "externalname", "ext",
                              "--external-name=example.com"], "ext",
     "/api/v1/namespaces/default/services"),
    ("job", ["create", "job", "j", "--image=busybox", "--", "echo", "hi"], "j",
     "/apis/batch/v1/namespaces/default/jobs"),
    ("cronjob", ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/5 * * * *",
                 "--restart=OnFailure", "--", "date"], "cj",
     "/apis/batch/v1/namespaces/default/cronjobs"),
    ("hpa", ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"], "web",
     "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers"),
    ("drain_delete", ["drain", "node-1", "--force", "--ignore-daemonsets", "--grace-period=10",
                      "--timeout=20s"], "node-1", "/api/v1/namespaces/default/pods/web-1"),
]


def without_nulls(value):
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("outdir", nargs="?", default=str(
        pathlib.Path(__file__).resolve().parents[2] / "test/unit/apiserver/testdata/protobuf"))
    parser.add_argument("--log", action="store_true", help="also write requests.log")
    parser.add_argument("--kubectl", default="kubectl")
    args = parser.parse_args()
    out = pathlib.Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)

    state = State()
    Handler.state = state
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="capture-kubectl-"))
    try:
        kubeconfig = tmp / "kubeconfig"
        kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
            "users": [{"name": "fake", "user": {"token": "dummy"}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake",
                                                      "namespace": "default"}}]}))
        blob = tmp / "blob.bin"
        blob.write_bytes(b"\x00\xff\xfe binary \x80")
        env = dict(os.environ, HOME=str(tmp), KUBECONFIG=str(kubeconfig))
        failures = 0
        for case, cmd, name, keep in CASES:
            for minor, suffix in (("32", ".pb"), ("31", ".kubectl131.json")):
                state.minor = minor
                state.reply_name = name
                state.pod_deleted = False
                state.bodies.clear()
                # A fresh cache dir per run: the dispatcher choice and discovery are not reused.
                cache = tmp / f"cache-{case}-{minor}"
                argv = [args.kubectl, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache),
                        "--validate=false"] if cmd[0] == "create" else [
                        args.kubectl, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache)]
                argv += [a.replace("{blob}", str(blob)) for a in cmd]
                if cmd[0] == "drain":
                    argv = [a for a in argv if a != "--validate=false"]
                run = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
                kept = [b for b in state.bodies if b[1] == keep and b[0] in ("POST", "DELETE")]
                status = "ok" if run.returncode == 0 and len(kept) == 1 else "FAILED"
                print(f"{case:22} v1.{minor}: exit {run.returncode}, {len(kept)} body "
                      f"({kept[0][2] if kept else '-'}) {status}")
                if status != "ok":
                    failures += 1
                    sys.stderr.write(run.stdout + run.stderr)
                    continue
                body = kept[0][3]
                if suffix == ".pb":
                    (out / f"{case}.pb").write_bytes(body)
                else:
                    sent = json.loads(body)
                    text = json.dumps(sent, indent=2, sort_keys=True) + "\n"
                    (out / f"{case}{suffix}").write_text(text)
                    expected = json.dumps(without_nulls(sent), indent=2, sort_keys=True) + "\n"
                    (out / f"{case}.json").write_text(expected)
        if args.log:
            (out / "requests.log").write_text(json.dumps(state.log, indent=1) + "\n")
        return 1 if failures else 0
    finally:
        server.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

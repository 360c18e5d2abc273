#!/usr/bin/env python3
"""Prints draft descriptor tables for src/apiserver/protobuf_schema_*.cc.

Reads upstream generated.proto files (field numbers, types) and the types.go beside them (JSON
names, omitempty, pointers, inlined structs) and prints one FieldDescriptor array per message,
leaves first. Review the output before pasting it: it is a starting point, not generated code.

  git -C kubernetes-api show HEAD:batch/v1/generated.proto > /tmp/batch.proto
  git -C kubernetes-api show HEAD:batch/v1/types.go > /tmp/batch_types.go
  scripts/dev/protobuf-schema-draft.py --pkg /tmp/batch.proto:/tmp/batch_types.go \\
      --extern CronJob --skip JobSpec.scheduling CronJob CronJobSpec ...

Messages not listed and not --extern are reported on stderr as missing.
"""

import argparse
import re
import sys

SPECIAL = {"Quantity": "kQuantity", "IntOrString": "kIntOrString", "Time": "kTime",
           "MicroTime": "kMicroTime", "Duration": "kDuration", "FieldsV1": "kFieldsV1"}
SCALARS = {"string": "kString", "bool": "kBool", "int32": "kInt32", "int64": "kInt64",
           "bytes": "kBytes"}
FIELD = re.compile(
    r"(optional|repeated)?\s*(map<\s*string,\s*([\w.]+)>|[\w.]+)\s+(\w+)\s*=\s*(\d+);")


def proto_messages(path):
    src = open(path).read()
    out = {}
    for m in re.finditer(r"^message (\w+) \{(.*?)^\}", src, re.M | re.S):
        out[m.group(1)] = [f.groups() for f in map(FIELD.match, (
            line.strip() for line in m.group(2).splitlines())) if f]
    return out


def go_structs(path):
    src = open(path).read()
    out = {}
    for m in re.finditer(r"^type (\w+) struct \{(.*?)^\}", src, re.M | re.S):
        info = {}
        for line in m.group(2).splitlines():
            pm = re.search(r'protobuf:"[^"]*name=(\w+)', line)
            jm = re.search(r'json:"([^"]*)"', line)
            if not pm or not jm:
                continue
            code = line.split("`")[0].split()
            name, *opts = jm.group(1).split(",")
            info[pm.group(1)] = {
                "json": name, "omitempty": "omitempty" in opts,
                "pointer": bool(code) and code[-1].startswith("*"),
                "inline": "inline" in opts or (len(code) == 1 and name == "")}
        out[m.group(1)] = info
    return out


def fields(msg, protos, gos, skip):
    result = []
    for label, typ, map_value, name, number in sorted(protos[msg], key=lambda f: int(f[4])):
        if f"{msg}.{name}" in skip:
            continue
        go = gos.get(msg, {}).get(name)
        if go is None:
            print(f"// no Go JSON tag for {msg}.{name}", file=sys.stderr)
            go = {"json": name, "omitempty": True, "pointer": False, "inline": False}
        base = (map_value or typ).split(".")[-1]
        flags = ["kMap"] if map_value else (["kRepeated"] if label == "repeated" else [])
        kind = SCALARS.get(base) or SPECIAL.get(base) or "kMessage"
        if go["inline"]:
            flags.append("kInline")
        keep = go["pointer"] or not go["omitempty"]
        if keep and not map_value and label != "repeated" and base in SCALARS:
            flags.append("kKeepZero")
        ref = base if kind == "kMessage" else None
        result.append((number, go["json"] or name, kind, flags, ref))
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pkg", action="append", required=True,
                        help="generated.proto:types.go (repeatable)")
    parser.add_argument("--extern", default="", help="comma-separated exported messages")
    parser.add_argument("--skip", default="", help="comma-separated Message.field to leave out")
    parser.add_argument("messages", nargs="+")
    args = parser.parse_args()
    protos, gos = {}, {}
    for pkg in args.pkg:
        proto, types = pkg.split(":")
        protos.update(proto_messages(proto))
        gos.update(go_structs(types))
    externs = set(filter(None, args.extern.split(",")))
    skip = set(filter(None, args.skip.split(",")))

    order, seen = [], set()

    def visit(msg):
        if msg in seen:
            return
        seen.add(msg)
        for *_, ref in fields(msg, protos, gos, skip):
            if ref in args.messages and ref not in externs:
                visit(ref)
            elif ref and ref not in args.messages and ref not in externs:
                print(f"// {msg} uses {ref}: declare or list it", file=sys.stderr)
        order.append(msg)

    for msg in args.messages:
        visit(msg)
    print("namespace {\n")
    for msg in order:
        print(f"constexpr FieldDescriptor k{msg}Fields[] = {{")
        for number, name, kind, flags, ref in fields(msg, protos, gos, skip):
            parts = [number, f'"{name}"', kind]
            if flags or ref:
                parts.append(" | ".join(flags) or "0")
            if ref:
                parts.append(f"&k{ref}")
            print("    {" + ", ".join(parts) + "},")
        print("};")
        if msg not in externs:
            print(f'constexpr MessageDescriptor k{msg}{{"{msg}", k{msg}Fields}};')
        print()
    print("}  // namespace\n")
    for msg in order:
        if msg in externs:
            print(f'constinit const MessageDescriptor k{msg}{{"{msg}", k{msg}Fields}};')


if __name__ == "__main__":
    main()

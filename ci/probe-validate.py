#!/usr/bin/env python3
"""Validate `./x probe --json` output against uring/examples/probe.schema.json.

usage: probe-validate.py SCHEMA REPORT EXIT_STATUS

Checks the document against the schema (JSON Schema 2020-12, the `jsonschema` package), then
what a schema cannot say: the exit status is 0 exactly when `verdict.usable` is true, every
recommended setup flag was accepted by the kernel, and the registration list agrees with
IORING_REGISTER_QUERY's count when the kernel has it. Prints one line per finding; exits 1
on any.
"""
import json
import sys

import jsonschema


def main() -> int:
    schema_path, report_path, status = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(schema_path) as f:
        schema = json.load(f)
    with open(report_path) as f:
        report = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    bad = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in jsonschema.Draft202012Validator(schema).iter_errors(report)
    ]
    if bad:
        for b in bad:
            print(f"probe --json: {b}", file=sys.stderr)
        return 1
    usable = report["verdict"]["usable"]
    if (status == 0) != usable:
        bad.append(f"exit status {status} but verdict.usable is {usable}")
    if usable:
        accepted = {
            s["name"].removeprefix("IORING_SETUP_")
            for s in report["setup_flags"]
            if s["accepted"]
        }
        for flag in report["verdict"]["recommended_setup"] + report["verdict"]["shared_ring_setup"]:
            if flag not in accepted:
                bad.append(f"verdict recommends {flag}, which the kernel did not accept")
        regs = report["registrations"]
        known = sum(1 for r in regs["list"] if r["known"])
        if regs["query_count"] is not None and regs["method"] == "restricted-ring":
            if known != regs["query_count"]:
                bad.append(
                    f"{known} registration opcodes probed as known, "
                    f"IORING_REGISTER_QUERY says {regs['query_count']}"
                )
    for b in bad:
        print(f"probe --json: {b}", file=sys.stderr)
    if not bad:
        print(
            f"probe --json: valid (schema_version {report['schema_version']}); "
            f"{report['verdict']['line']}"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

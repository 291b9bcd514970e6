#!/usr/bin/env python3
"""Recomputes every golden case's `expected` with the reference evaluator.

  python3 tests/golden/reference/regen.py            # rewrite tests/golden/cases/*.json in place
  python3 tests/golden/reference/regen.py --check    # exit 1 when a stored expectation differs

A case may carry "loki_error": Loki's exact error text for a query Loki rejects with a syntax error (the reference
parser only confirms the rejection; it does not reproduce goyacc's messages). For errors the reference produces
itself (validation, parameters), the text must agree with "loki_error" when both exist.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from reference import cases as casefiles  # noqa: E402
from reference import evaluator  # noqa: E402


def expected_for(case, datasets):
    got = evaluator.run_case(case, datasets)
    if "loki_error" in case:
        if got.get("status", 200) == 200:
            raise AssertionError(f"{case['name']}: Loki rejects this query but the reference accepted it")
        if not got["error"].startswith("parse error (syntax)") and got["error"] != case["loki_error"]:
            raise AssertionError(f"{case['name']}: reference error {got['error']!r} != loki_error {case['loki_error']!r}")
        return {"status": case.get("loki_status", got["status"]), "error": case["loki_error"]}
    if "error" in got and got["error"].startswith("parse error (syntax)"):
        raise AssertionError(f"{case['name']}: syntax error without a hand-written loki_error: {got['error']}")
    return got


def main(argv):
    check = "--check" in argv
    datasets = evaluator.load_datasets(casefiles.DATA_DIR)
    bad = 0
    total = 0
    for path in casefiles.case_files():
        doc = casefiles.load_file(path)
        changed = False
        for raw, case in zip(doc["cases"], casefiles.effective_cases(doc)):
            total += 1
            try:
                exp = expected_for(case, datasets)
            except Exception as e:  # noqa: BLE001
                print(f"{os.path.basename(path)}: {case['name']}: {type(e).__name__}: {e}")
                bad += 1
                continue
            if raw.get("expected") != exp:
                changed = True
                if check:
                    print(f"{os.path.basename(path)}: {case['name']}: stored expectation differs")
                    bad += 1
                raw["expected"] = exp
        if changed and not check:
            casefiles.write_file(path, doc)
    print(f"{total} cases, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make audit`: known vulnerabilities in the installed dependencies (pip-audit), with a clear message where its
vulnerability database cannot be reached. pip-audit then reports every package as 'could not be audited' and
still says 'No known vulnerabilities found': that is not a pass.

Exit codes: 0 nothing known, 1 vulnerabilities found, 2 nothing could be checked (offline)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile


def main() -> int:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        run = subprocess.run([sys.executable, "-m", "pip_audit", "--local", "--progress-spinner", "off",
                              "--format", "json", "--output", out.name, *sys.argv[1:]],
                             capture_output=True, text=True, timeout=600)
        try:
            report = json.load(open(out.name))
        except (OSError, ValueError):
            report = None
    if report is None:
        reason = (run.stderr.strip().splitlines() or ["no output"])[-1][:300]
        print(f"audit: pip-audit could not reach its vulnerability database ({reason}); nothing was checked. "
              "Run `make audit` where pypi.org or osv.dev can be reached.", file=sys.stderr)
        return 2
    deps = report.get("dependencies", [])
    skipped = [d for d in deps if d.get("skip_reason")]
    vulnerable = [d for d in deps if d.get("vulns")]
    for d in vulnerable:
        for v in d["vulns"]:
            fixes = ", ".join(v.get("fix_versions") or []) or "no fix yet"
            print(f"{d['name']} {d['version']}: {v['id']} (fixed in: {fixes})")
    if deps and len(skipped) >= len(deps) - 1:  # everything (but perhaps our own package) unknown: offline
        print(f"audit: the vulnerability database answered for none of the {len(deps)} installed packages "
              "(no route to pypi.org's JSON API or osv.dev from here); nothing was checked. Run `make audit` "
              "where they can be reached.", file=sys.stderr)
        return 2
    if skipped:
        print(f"audit: {len(skipped)} of {len(deps)} packages could not be checked: "
              + ", ".join(d["name"] for d in skipped[:10]), file=sys.stderr)
    print(f"audit: {len(vulnerable)} vulnerable packages of {len(deps) - len(skipped)} checked")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())

"""The kill rate of the last `mutmut run`, per package, counting equivalent mutants apart.

A surviving mutant is counted as equivalent when it only changes the letter case of SQL outside its quoted
literals (SQL keywords and names are case-insensitive in SQLite); every other survivor counts against the rate.
Run after `mutmut run`: `python tools/mutation_report.py`.
"""

import contextlib
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|CREATE|VALUES|JOIN|PRAGMA|AND|GROUP\s+BY|ORDER\s+BY)\b|\?",
    re.IGNORECASE,
)


def statuses() -> dict[str, tuple[str, Path]]:
    """Mutant name -> (mutmut's status: "killed", "survived", "no tests", "not checked" ..., its source file)."""
    found = {}
    for meta in Path("mutants").rglob("*.py.meta"):
        source = Path(*meta.with_suffix("").parts[1:])  # mutants/storage/polls.py.meta -> storage/polls.py
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            found[name] = (status_by_exit_code[code], source)
    return found


def same_sql_but_case(before: str, after: str) -> bool:
    """Only the case of SQL outside quoted literals differs (split on quotes: odd parts are literals)."""
    if before == after or not SQL.search(before):
        return False
    old, new = before.split("'"), after.split("'")
    return len(old) == len(new) and all(
        (a.lower() == b.lower()) if i % 2 == 0 else a == b for i, (a, b) in enumerate(zip(old, new, strict=True))
    )


def equivalent(name: str, source: Path) -> bool:
    diff = ""
    with contextlib.suppress(Exception):  # a mutant whose function changed since the run is not equivalent
        diff = get_diff_for_mutant(name, path=source)
    diff = diff.splitlines()
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    return bool(removed) and len(removed) == len(added) and all(map(same_sql_but_case, removed, added))


def main() -> None:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for name, (status, source) in statuses().items():
        package = name.split(".")[0]
        if status == "survived" and equivalent(name, source):
            status = "equivalent (SQL case)"
        counts[package][status] += 1
    print("package   checked  killed  survived  no tests  equivalent  kill rate (of non-equivalent)")
    for package, c in sorted(counts.items()):
        checked = sum(n for s, n in c.items() if s != "not checked")
        if not checked:
            continue
        judged = checked - c["equivalent (SQL case)"]
        rate = c["killed"] / judged if judged else 1.0
        print(
            f"{package:9} {checked:7} {c['killed']:7} {c['survived']:9} {c['no tests']:9} "
            f"{c['equivalent (SQL case)']:11}  {rate:.1%}"
        )


if __name__ == "__main__":
    main()

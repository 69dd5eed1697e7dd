"""The kill rate of the last `mutmut run`, per package, counting equivalent mutants apart.

A surviving mutant is equivalent when it only changes the letter case of SQL outside its quoted literals (SQL
keywords and names are case-insensitive), or when it is listed in `JUDGED` with the reason no test can tell it
apart; every other survivor counts against the rate. Run after `mutmut run`:

    python tools/mutation_report.py          # the kill rate per package
    python tools/mutation_report.py --list   # the survivors, and the equivalent ones with their reasons
"""

import contextlib
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.mutation.diff_apply import get_diff_for_mutant
from mutmut.stats import status_by_exit_code

SQL = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|FROM|CREATE|VALUES|JOIN|PRAGMA|AND|GROUP\s+BY|ORDER\s+BY)\b|\?",
    re.IGNORECASE,
)


# Survivors judged equivalent: (a pattern of mutant names, why no test can tell the mutant from the code).
JUDGED: list[tuple[str, str]] = [
    (
        r"^storage\.base\.xǁ\w+Repositoryǁ",
        "a method of a Protocol: its body and defaults never run (each implementation's are tested)",
    ),
    (
        r"^storage\.base\.xǁ(BallotFull|LimitReached)ǁ__init__",
        "the exception's args only show in a traceback; callers read its attributes, which are tested",
    ),
    (
        r"^storage\.privacy\.x_pseudonym__mutmut_(1|4|6|7)$|^storage\.privacy\.xǁSqlitePrivacyRepositoryǁerase__mutmut_6[23]$",
        "the range of a random stand-in (a negative member id, an erased voter's key): any such value serves",
    ),
    (
        r"^storage\.models\.x_text__",
        "text(n) runs at import, before mutmut switches a mutant on; tests/test_models.py pins every limit",
    ),
]


def judged(name: str) -> str | None:
    """Why the mutant `name` is equivalent, if it is listed in `JUDGED`."""
    return next((why for pattern, why in JUDGED if re.search(pattern, name)), None)


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
    survivors, reasons = [], defaultdict(list)
    for name, (status, source) in sorted(statuses().items()):
        package = name.split(".")[0]
        if status in ("survived", "no tests"):
            why = "only the letter case of SQL changes" if equivalent(name, source) else judged(name)
            if why:
                status = "equivalent"
                reasons[why].append(name)
            else:
                survivors.append(f"{name} ({status})")
        counts[package][status] += 1
    print("package   checked  killed  survived  no tests  equivalent  kill rate (of non-equivalent)")
    for package, c in sorted(counts.items()):
        checked = sum(n for s, n in c.items() if s != "not checked")
        if not checked:
            continue
        judged_ = checked - c["equivalent"]
        rate = c["killed"] / judged_ if judged_ else 1.0
        figures = f"{checked:7} {c['killed']:7} {c['survived']:9} {c['no tests']:9} {c['equivalent']:11}"
        print(f"{package:9} {figures}  {rate:.1%}")
    if "--list" in sys.argv:
        print("\nsurvivors:", *survivors, sep="\n  ")
        for why, names in reasons.items():
            print(f"\nequivalent, {len(names)}: {why}", *names, sep="\n  ")


if __name__ == "__main__":
    main()

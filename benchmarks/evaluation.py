"""How long the evaluation takes, and how much memory, as a workshop series grows.

Builds a synthetic workshop series from a seed: N participants (100 to 1,000)
over 50 sessions of shared language, method selection and feedback, with pay
for every attendance, follow-ups, a withdrawal and a self-assessment. Then,
for each size, in a fresh process:

- ``metrics``: every section's tables and every chart drawn, tables written
  (what the notebooks compute), in the same process;
- ``evaluate``: the whole ``coproduction evaluate`` command: four notebooks
  run headlessly, the HTML report and the CSV tables.

Peak memory is the largest resident size (ru_maxrss) of the process, and for
``evaluate`` also of the notebook kernels it started. With ``--record`` the
table is appended to ``benchmarks/RESULTS.md`` with the command.

    python benchmarks/evaluation.py --sizes 100 250 500 1000 --record

A benchmark, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from results import record

from coproduction.demo import _clock
from coproduction.store import Store
from coproduction.store.schema import LADDER_RUNGS, PRINCIPLES

SESSIONS = 50
SEED = 7


def build(path: Path, people: int, *, seed: int = SEED) -> Path:
    """A synthetic series: ``people`` participants over :data:`SESSIONS` sessions.

    Written straight through the store (every row checked against its
    contract) rather than through the live engines, which check rate limits
    and would take far longer; the tables are the same.
    """
    from coproduction.activities.methods import catalogue_rows
    from coproduction.evaluation.self_assessment import record_self_assessment
    from coproduction.privacy import consent
    from coproduction.running import ethics

    rng = random.Random(seed)
    store = Store.create(path, title=f"Synthetic series, {people} people", code="BENCH",
                         clock=_clock("2026-01-05T10:00:00"), ids=lambda p: f"{p}-{rng.getrandbits(40):010x}")
    roles = ["lived_experience", "staff", "not_said"]  # as measured before "both" existed
    with store.transaction() as tx:
        ids = []
        for i in range(people):
            pid = f"p-{i:06d}"
            tx.insert("participants", {
                "participant_id": pid, "pseudonym": f"Person {i}",
                "role": rng.choices(roles, weights=[6, 3, 1])[0],
                "credit": rng.choices(["pseudonym", "anonymous", "collective", "named"],
                                      weights=[6, 2, 1, 1])[0],
                "contact_ok": False, "status": "active", "key_hash": "x" * 64,
                "joined_on": "device", "language": "en"})
            ids.append(pid)
        methods = [m["method_id"] for m in catalogue_rows()]
        for row in catalogue_rows():
            tx.insert("methods", row)
    credit = {p["participant_id"]: p["credit"] for p in store.select("participants")}
    for n in range(SESSIONS):
        activity = ("language", "methods", "feedback")[n % 3]
        here = rng.sample(ids, max(3, int(people * rng.uniform(0.4, 0.8))))
        with store.transaction() as tx:
            sid = tx.insert("sessions", {"activity": activity, "title": f"Session {n + 1}",
                                         "status": "closed"})
            def mine(pid: str, sid: int = sid) -> dict:
                return {"session_id": sid, "author_id": pid, "credit": credit[pid]}

            if activity == "language":
                tx.insert("texts", {"session_id": sid, "title": f"Letter {n}",
                                    "body": "The SENCO will meet you at the CAMHS base. "
                                            "Please tell us what helps." * (1 + n % 3)})
                term = tx.insert("terms", {"session_id": sid, "term": f"term {n}",
                                           "marked_by": "checker", "kind": "jargon"})
                proposals = [tx.insert("proposals", {**mine(pid), "term_id": term,
                                                     "wording": f"wording {n}-{k}"})
                             for k, pid in enumerate(rng.sample(here, 10))]
                for pid in here:
                    for prop in rng.sample(proposals, 3):
                        tx.insert("votes", {**mine(pid), "proposal_id": prop,
                                            "choice": rng.choice(["agree", "agree", "pass",
                                                                  "disagree"])})
                tx.insert("glossary", {"session_id": sid, "term": f"term {n}",
                                       "wording": f"wording {n}-0", "proposal_id": proposals[0],
                                       "agree": 5, "disagree": 1, "pass": 1, "block": 0})
            elif activity == "methods":
                for pid in here:
                    for method in rng.sample(methods, 3):
                        tx.insert("method_ratings", {**mine(pid), "method_id": method,
                                                     "rating": rng.choice(["keen", "unsure",
                                                                           "not_for_me"])})
                    if n == 1:
                        tx.insert("access_cards", {
                            "participant_id": pid, "session_id": sid,
                            "internet": rng.choice(["yes", "no", "not_said"]),
                            "device": rng.choice(["camera", "no_camera", "no"]),
                            "communication": rng.choice(["talking", "writing", "any"]),
                            "sensory": rng.choice(["quiet_better", "fine"]),
                            "groups": rng.choice(["fine", "one_to_one"]),
                            "time": rng.choice(["half_hour", "hour", "longer"]),
                            "anonymous": rng.choice(["yes", "no"]),
                            "share_with_facilitator": False})
                for rank, method in enumerate(rng.sample(methods, 3), 1):
                    tx.insert("method_shortlist", {"session_id": sid, "method_id": method,
                                                   "rank": rank, "dots": 10 - rank,
                                                   "reasons": "Most dots."})
            else:
                for pid in here:
                    for p in PRINCIPLES:
                        tx.insert("principle_ratings", {**mine(pid), "principle": p,
                                                        "rating": rng.randint(1, 4)})
                    tx.insert("ladder_answers", {"answer_id": rng.getrandbits(50),
                                                 "session_id": sid,
                                                 "rung": rng.choice(LADDER_RUNGS)})
                    if rng.random() < 0.02:
                        tx.insert("follow_ups", {"session_id": sid, "participant_id": pid,
                                                 "moment": "check_in"})
                for pid in rng.sample(here, 5):
                    sug = tx.insert("suggestions", {**mine(pid), "text": "Please change it."})
                    tx.insert("actions", {"session_id": sid, "suggestion_id": sug,
                                          "text": "We changed it.",
                                          "status": rng.choice(["done", "planned"])})
            for pid in here:
                tx.insert("payments", {"participant_id": pid, "session_id": sid,
                                       "payee_ref": pid, "minutes": 120, "rate": 25.0,
                                       "amount": 50.0, "expenses": 0.0,
                                       "settlement": rng.choice(["bank", "declined"]),
                                       "settled_at": "2026-06-01T10:00:00.000Z"
                                       if rng.random() < 0.7 else None})
    record_self_assessment(store, stage="sensitive", doing_with="yes", environment="partly",
                           transparency="yes", compensation="yes", cultural_humility="partly")
    consent.change_settings(store, opinions_shared=True)
    for item in ("withdrawal", "anonymity", "budget"):
        ethics.answer_item(store, item, status="group", answer="Agreed in the first session.",
                           agreed_with="the whole group")
    store.close()
    return path


def measure_metrics(workshop: Path, out: Path) -> dict:
    """In this process: every section, every chart, every table written."""
    from coproduction.evaluation.metrics import Evaluation

    start = time.perf_counter()
    with Store.open(workshop) as store:
        ev = Evaluation(store)
        charts = sum(len(chart.png()) > 0 for s in ev.sections() for chart in s.charts)
        ev.write_tables(out)
    return {"seconds": round(time.perf_counter() - start, 2), "charts": charts,
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def measure_command(workshop: Path, out: Path) -> dict:
    """The whole command, with its notebook kernels."""
    from coproduction.cli import main

    start = time.perf_counter()
    code = main(["evaluate", "--workshop", str(workshop), "--out", str(out)])
    assert code == 0
    return {"seconds": round(time.perf_counter() - start, 2),
            "peak_mb": round(max(resource.getrusage(who).ru_maxrss for who in (
                resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024)}


def one(kind: str, workshop: Path, out: Path) -> dict:
    """Run one measurement in a fresh process, so peak memory is its own."""
    result = subprocess.run([sys.executable, __file__, "--one", kind, str(workshop), str(out)],
                            check=False, capture_output=True, text=True, timeout=900,
                            cwd=ROOT)
    if result.returncode:
        raise SystemExit(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 250, 500, 1000])
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    parser.add_argument("--one", nargs=3, metavar=("KIND", "WORKSHOP", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, workshop, out = args.one
        measure = measure_metrics if kind == "metrics" else measure_command
        print(json.dumps(measure(Path(workshop), Path(out))))
        return
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"series-{size}"
            started = time.perf_counter()
            build(folder, size)
            built = time.perf_counter() - started
            with Store.open(folder) as store, store.read() as tx:
                contributions = sum(tx.count(t) for t in (
                    "votes", "proposals", "method_ratings", "principle_ratings", "suggestions"))
            metrics = one("metrics", folder, Path(tmp) / f"metrics-{size}")
            command = one("evaluate", folder, Path(tmp) / f"report-{size}")
            rows.append((size, contributions, metrics, command))
            print(f"{size} people, {contributions} contributions (built in {built:.1f} s): "
                  f"metrics {metrics['seconds']} s, {metrics['peak_mb']} MB; "
                  f"evaluate {command['seconds']} s, {command['peak_mb']} MB", flush=True)
    table = [("| participants | contributions | tables and charts | peak memory | "
              "`coproduction evaluate` (4 notebooks, HTML) | peak memory, largest process |"),
             "|---|---|---|---|---|---|"]
    for size, contributions, m, c in rows:
        table.append(f"| {size} | {contributions} | {m['seconds']} s | {m['peak_mb']} MB | "
                     f"{c['seconds']} s | {c['peak_mb']} MB |")
    print("\n".join(table))
    if args.record:
        record("Evaluation at scale", "\n".join(table),
               f"A synthetic series of {SESSIONS} sessions (seed {SEED}). Budget: 1,000 "
               "participants evaluated in under 60 s.")


if __name__ == "__main__":
    main()

"""Run the benchmarks on a cached store: ``python -m benchmarks.run --size typical``.

Every store figure is measured on the encrypted store and on its unencrypted twin in the
same run (interleaved, so both see the same machine load), through the same service calls.
Results go to stdout as a Markdown table and to ``benchmarks/.cache/results-<size>.json``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from benchmarks import common, twin
from benchmarks.common import CACHE, cpu, loadavg, median, p95

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable

BUDGETS_MS = {
    "unlock_to_first_rows": 300,
    "search_p95": 50,
    "open_case_500_notes": 150,
    "save_note": 20,
    "sar_pack": 5000,
    "cold_start": 2000,
}
SAR_RSS_BUDGET_MIB = 300
RATIO_BUDGET = 1.5


def info(size: str) -> dict:
    return json.loads((CACHE / size / "done-fixtures.json").read_text())


class Recorder:
    def __init__(self, size: str) -> None:
        self.size = size
        self.rows: list[dict] = []

    def add(self, name: str, enc: list[float], plain: list[float] | None = None,
            enc_cpu: list[float] | None = None, plain_cpu: list[float] | None = None,
            budget_ms: float | None = None, use_p95: bool = False, load: str = "",
            extra: dict | None = None) -> dict:
        row = {
            "operation": name, "runs": len(enc),
            "median_ms": median(enc) * 1000, "p95_ms": p95(enc) * 1000,
            "min_ms": min(enc) * 1000, "max_ms": max(enc) * 1000,
            "cpu_median_ms": median(enc_cpu) * 1000 if enc_cpu else None,
            "cpu_p95_ms": p95(enc_cpu) * 1000 if enc_cpu else None,
            "plain_cpu_p95_ms": p95(plain_cpu) * 1000 if plain_cpu else None,
            "plain_median_ms": median(plain) * 1000 if plain else None,
            "plain_p95_ms": p95(plain) * 1000 if plain else None,
            "plain_cpu_median_ms": median(plain_cpu) * 1000 if plain_cpu else None,
            "budget_ms": budget_ms, "budget_on": "p95" if use_p95 else "median",
            "load": load, **(extra or {}),
        }
        if plain:
            key = "p95_ms" if use_p95 else "median_ms"
            pkey = "plain_p95_ms" if use_p95 else "plain_median_ms"
            row["ratio"] = row[key] / row[pkey] if row[pkey] else None
            if enc_cpu and plain_cpu:
                ck = "cpu_p95_ms" if use_p95 else "cpu_median_ms"
                pk = "plain_cpu_p95_ms" if use_p95 else "plain_cpu_median_ms"
                row["cpu_ratio"] = row[ck] / row[pk] if row[pk] else None
        if budget_ms is not None:
            row["pass"] = (row["p95_ms"] if use_p95 else row["median_ms"]) < budget_ms
        self.rows.append(row)
        print(json.dumps(row, default=str), flush=True)
        return row


def _load_span(before: str) -> str:
    return f"{before} → {loadavg()}"


# --- unlock ----------------------------------------------------------------------------------


def bench_unlock(rec: Recorder, runs: int) -> None:
    from sendiass_desktop.domain.cases import CaseFilter, CaseStatus
    from sendiass_desktop.services import cases
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.store import kdf, keyslots, meta, migrations
    from sendiass_desktop.store.connection import open_connection

    location = StoreLocation.of(common.store_path(rec.size))
    kdf_time = [0.0]
    kdf_cpu = [0.0]
    real_derive = kdf.derive

    def counting_derive(*a, **k):  # type: ignore[no-untyped-def]
        t, c = time.perf_counter(), cpu()
        try:
            return real_derive(*a, **k)
        finally:
            kdf_time[0] += time.perf_counter() - t
            kdf_cpu[0] += cpu() - c

    # The case list opens on "Open cases" (ui/case_list.py); "All cases" is the other common view.
    views = {"open cases (the list's first view)": CaseFilter(status=CaseStatus.OPEN),
             "all cases": CaseFilter()}
    first_view = CaseFilter(status=CaseStatus.OPEN)

    # 1) The budget figure: the real sign-in (KDF time subtracted) + first page + count.
    load = loadavg()
    full, full_cpu, kdf_only, kdf_cpu_all = [], [], [], []
    keyslots.kdf.derive = counting_derive  # keyslots calls kdf.derive through the module
    try:
        for _ in range(runs):
            kdf_time[0] = kdf_cpu[0] = 0.0
            c0, t0 = cpu(), time.perf_counter()
            s = unlock_with_password(location, common.ADMIN, common.ADMIN_PASSWORD)
            rows = cases.list_cases(s, first_view, limit=200)
            total = cases.count_cases(s, first_view)
            wall, cpu_s = time.perf_counter() - t0, cpu() - c0
            assert len(rows) == 200 and total > 200
            full.append(wall - kdf_time[0])
            full_cpu.append(cpu_s - kdf_cpu[0])
            kdf_only.append(kdf_time[0])
            kdf_cpu_all.append(kdf_cpu[0])
            s.close()
    finally:
        keyslots.kdf.derive = real_derive
    rec.add("unlock → first 200 open cases + count (sign-in, KDF excluded)", full,
            enc_cpu=full_cpu, budget_ms=BUDGETS_MS["unlock_to_first_rows"],
            load=_load_span(load),
            extra={"kdf_ms_at_store_params_median": median(kdf_only) * 1000,
                   "kdf_cpu_ms_median": median(kdf_cpu_all) * 1000})

    # 2) Like for like with the plain twin: open + migrations check + store id + list + count.
    base = twin.encrypted_session(rec.size)
    key = base.data_key

    def open_enc():  # type: ignore[no-untyped-def]
        return open_connection(location.path, key)

    def open_pl():  # type: ignore[no-untyped-def]
        return twin.open_plain(rec.size)

    def one(opener, view: CaseFilter) -> tuple[float, float]:  # type: ignore[no-untyped-def]
        c0, t0 = cpu(), time.perf_counter()
        conn = opener()
        migrations.migrate(conn)
        meta.get(conn, meta.STORE_ID)
        s = dataclasses.replace(base, conn=conn)
        rows = cases.list_cases(s, view, limit=200)
        cases.count_cases(s, view)
        w, c = time.perf_counter() - t0, cpu() - c0
        assert len(rows) == 200
        conn.close()
        return w, c

    one(open_pl, first_view)  # brings the twin to the same schema version before timing
    for name, view in views.items():
        load = loadavg()
        e, ec, p, pc = [], [], [], []
        for _ in range(runs):
            w, c = one(open_enc, view)
            e.append(w)
            ec.append(c)
            w, c = one(open_pl, view)
            p.append(w)
            pc.append(c)
        rec.add(f"open connection + migrations check + first 200 rows + count: {name}",
                e, p, ec, pc, budget_ms=BUDGETS_MS["unlock_to_first_rows"],
                load=_load_span(load))
    base.close()


# --- search ----------------------------------------------------------------------------------

COMMON_WORDS = ["school", "transport", "tribunal", "annual review", "EHC plan", "SENCo",
                "exclusion", "speech and language", "autism", "draft plan", "appeal",
                "meeting", "letter", "mum", "dyslexia", "college", "placement",
                "school transport", "mediation", "assessment"]


def search_queries(conn, n: int = 200, seed: int = 7) -> list[str]:
    """Surnames, full names, case refs (whole and partial), partial words, common words,
    and a few 'as you type' prefix runs."""
    rng = random.Random(seed)
    people = conn.execute("SELECT given_name, family_name, ref FROM people "
                          "ORDER BY id").fetchall()
    refs = [r[0] for r in conn.execute("SELECT ref FROM cases ORDER BY id").fetchall()]
    q: list[str] = []
    for _g, f, _ in rng.sample(people, 45):
        q.append(f)                                  # surname
    for g, f, _ in rng.sample(people, 25):
        q.append(f"{g} {f}")                         # full name
    for g, f, _ in rng.sample(people, 15):
        q.append(f"{g} {f[:3]}")                     # full first name, partial surname
    for ref in rng.sample(refs, 20):
        q.append(ref)                                # whole case ref
    for ref in rng.sample(refs, 10):
        q.append(ref[:-2])                           # partial ref "SEN-2024-01"
    for _, _, pref in rng.sample(people, 5):
        q.append(pref)                               # person ref
    for w in ["scho", "trib", "transp", "assess", "exclu", "medi", "plac", "dysl", "coll",
              "apprai", "annu", "speec", "occup", "phys", "thera"]:
        q.append(w)                                  # partial words
    q.extend(COMMON_WORDS)                           # common words
    # As you type: every prefix (2+ chars) of a few surnames and a common phrase.
    typed = [f for _, f, _ in rng.sample(people, 4)] + ["school transport", "tribunal"]
    for word in typed:
        for i in range(2, len(word) + 1):
            q.append(word[:i])
    rng.shuffle(q)
    while len(q) < n:
        q.append(rng.choice(COMMON_WORDS))
    return q[:n]


def bench_search(rec: Recorder, warmup: int = 20) -> None:
    from sendiass_desktop.services import search
    from sendiass_desktop.store import migrations

    enc = twin.encrypted_session(rec.size)  # signing in migrates the store if it is older
    pl = twin.plain_session(rec.size, enc)
    # The twin is opened without signing in, so bring its schema (and search index) level.
    t0, c0 = time.perf_counter(), cpu()
    applied = migrations.migrate(pl.conn)
    if applied:
        print(f"plain twin migrated to {applied}: {time.perf_counter() - t0:.1f} s wall, "
              f"{cpu() - c0:.1f} s CPU", flush=True)
    queries = search_queries(pl.conn)
    for qtext in queries[:warmup]:
        search.search_cases(enc, qtext)
        search.search_cases(pl, qtext)
    load = loadavg()
    e, ec, p, pc, hits, per = [], [], [], [], [], []
    for qtext in queries:
        c0, t0 = cpu(), time.perf_counter()
        r = search.search_cases(enc, qtext)
        e.append(time.perf_counter() - t0)
        ec.append(cpu() - c0)
        hits.append(len(r.hits))
        c0, t0 = cpu(), time.perf_counter()
        search.search_cases(pl, qtext)
        p.append(time.perf_counter() - t0)
        pc.append(cpu() - c0)
        per.append((e[-1] * 1000, p[-1] * 1000, qtext, len(r.hits)))
    per.sort(reverse=True)
    rec.add(f"search as you type ({len(queries)} queries, search_cases limit 50)", e, p, ec, pc,
            budget_ms=BUDGETS_MS["search_p95"], use_p95=True, load=_load_span(load),
            extra={"median_hits": median(hits),
                   "slowest": [f"{a:.1f} ms (plain {b:.1f}) {c!r} → {d} hits"
                               for a, b, c, d in per[:10]]})
    pl.conn.close()
    enc.close()


# --- open a case, save a note --------------------------------------------------------------


def bench_open_case(rec: Recorder, runs: int) -> None:
    from sendiass_desktop.services import cases

    case_id = info(rec.size)["open_case_id"]
    enc = twin.encrypted_session(rec.size)
    pl = twin.plain_session(rec.size, enc)
    # Cold: the first open on a fresh connection (SQLite page cache empty; OS cache warm).
    cold_e = common.timed(lambda: cases.open_case_file(enc, case_id))
    cold_p = common.timed(lambda: cases.open_case_file(pl, case_id))
    load = loadavg()
    e, ec, p, pc = [], [], [], []
    for _ in range(runs):
        w, c, cf = common.timed(lambda: cases.open_case_file(enc, case_id))
        e.append(w)
        ec.append(c)
        w, c, _ = common.timed(lambda: cases.open_case_file(pl, case_id))
        p.append(w)
        pc.append(c)
    rec.add(f"open a case with {len(cf.notes)} notes (open_case_file)", e, p, ec, pc,
            budget_ms=BUDGETS_MS["open_case_500_notes"], load=_load_span(load),
            extra={"cold_first_open_ms": cold_e[0] * 1000,
                   "plain_cold_first_open_ms": cold_p[0] * 1000})
    pl.conn.close()
    enc.close()


NOTE_BODY = ("Phoned mum after the annual review. School have agreed to add speech and language "
             "therapy to section F and to look again at the transport arrangements before the "
             "new term. I explained the timescales for the amended plan and that she can appeal "
             "to the tribunal if section I is not changed. Sent the template letter by email; "
             "follow-up call booked for next week.")


def bench_save_note(rec: Recorder, runs: int) -> None:
    from sendiass_desktop.domain.notes import Note, NoteType
    from sendiass_desktop.services import notes

    enc = twin.encrypted_session(rec.size)
    pl = twin.plain_session(rec.size, enc)
    case_id = enc.conn.execute("SELECT id FROM cases ORDER BY id LIMIT 1 OFFSET 7").fetchone()[0]

    def note() -> Note:
        when = datetime.now().replace(microsecond=0) - timedelta(minutes=5)
        return Note(case_id=case_id, occurred_at=when, type=NoteType.CALL,
                    author=common.ADMIN, body=NOTE_BODY)

    for s in (enc, pl):  # warm-up
        notes.add_note(s, note())
    load = loadavg()
    e, ec, p, pc = [], [], [], []
    for _ in range(runs):
        w, c, _ = common.timed(lambda: notes.add_note(enc, note()))
        e.append(w)
        ec.append(c)
        w, c, _ = common.timed(lambda: notes.add_note(pl, note()))
        p.append(w)
        pc.append(c)
    rec.add("save a note (add_note; synchronous=FULL commit)", e, p, ec, pc,
            budget_ms=BUDGETS_MS["save_note"], load=_load_span(load))
    pl.conn.close()
    enc.close()


# --- SAR pack ------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def bench_sar(rec: Recorder, runs: int) -> None:
    person = info(rec.size)["sar_person_id"]
    out_dir = CACHE / rec.size / "packs"
    out_dir.mkdir(exist_ok=True)
    load = loadavg()
    res: dict[str, list[dict]] = {"encrypted": [], "plain": []}
    for i in range(runs):
        for mode in ("encrypted", "plain"):
            out = out_dir / f"{mode}-{time.time_ns()}-{i}.pdf"
            r = subprocess.run([PY, "-m", "benchmarks.sar_child", mode, rec.size, str(person),
                                str(out)], capture_output=True, text=True, env=_child_env(),
                               cwd=REPO, check=False)
            if r.returncode != 0:
                raise RuntimeError(r.stderr[-3000:])
            res[mode].append(json.loads(r.stdout.strip().splitlines()[-1]))
            out.unlink(missing_ok=True)
    e = [x["wall_s"] for x in res["encrypted"]]
    p = [x["wall_s"] for x in res["plain"]]
    peak = max(x["peak_rss_mib"] for x in res["encrypted"])
    row = rec.add("SAR pack: build_pack(accept_suggested, encrypted PDF)", e, p,
                  [x["cpu_s"] for x in res["encrypted"]], [x["cpu_s"] for x in res["plain"]],
                  budget_ms=BUDGETS_MS["sar_pack"], load=_load_span(load),
                  extra={"peak_rss_mib_max": peak,
                         "plain_peak_rss_mib_max": max(x["peak_rss_mib"] for x in res["plain"]),
                         "rss_before_mib": res["encrypted"][0]["rss_before_mib"],
                         "pages": res["encrypted"][0]["pages"],
                         "items": res["encrypted"][0]["items"]})
    row["pass"] = row["pass"] and peak < SAR_RSS_BUDGET_MIB


# --- cold start, KDF -----------------------------------------------------------------------


def bench_cold_start(rec: Recorder, runs: int) -> None:
    env = _child_env()
    env["QT_QPA_PLATFORM"] = "offscreen"
    child = str(REPO / "benchmarks" / "coldstart_child.py")
    load = loadavg()
    walls, names, cpus = [], set(), []
    for _ in range(runs):
        env["BENCH_SPAWN_NS"] = str(time.time_ns())
        before = os.times()
        r = subprocess.run([PY, child, str(common.store_path(rec.size))], capture_output=True,
                           text=True, env=env, cwd=REPO, check=False)
        after = os.times()
        out = r.stdout.strip().split()
        if r.returncode != 0 or not out:
            raise RuntimeError(r.stderr[-3000:])
        walls.append(float(out[0]))
        names.add(out[1])
        cpus.append((after.children_user - before.children_user)
                    + (after.children_system - before.children_system))
    rec.add("cold start → unlock window shown (new interpreter, offscreen Qt)", walls,
            enc_cpu=cpus, budget_ms=BUDGETS_MS["cold_start"], load=_load_span(load),
            extra={"window": sorted(names),
                   "note": "CPU is the child's whole-process CPU (incl. exit)"})


KDF_SNIPPET = """
import json, os, time, resource
os.environ.pop("SENDIASS_KDF_CALIBRATION", None)
from sendiass_desktop.store import kdf
t0 = time.perf_counter(); c0 = time.process_time()
params = kdf.calibrate()
cal_w = time.perf_counter() - t0; cal_c = time.process_time() - c0
walls = []; cpus = []
for _ in range(3):
    t0 = time.perf_counter(); c0 = time.process_time()
    kdf.derive(b"benchmark password", b"0123456789abcdef", params)
    walls.append(time.perf_counter() - t0); cpus.append(time.process_time() - c0)
t0 = time.perf_counter(); kdf.derive(b"x", b"0123456789abcdef", kdf.MINIMUM)
floor = time.perf_counter() - t0
print(json.dumps({"params": [params.time_cost, params.memory_kib, params.parallelism],
  "calibrate_s": cal_w, "calibrate_cpu_s": cal_c, "derive_s": walls, "derive_cpu_s": cpus,
  "floor_derive_s": floor,
  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def bench_kdf(rec: Recorder) -> None:
    env = _child_env()
    env.pop("SENDIASS_KDF_CALIBRATION", None)
    load = loadavg()
    r = subprocess.run([PY, "-c", KDF_SNIPPET], capture_output=True, text=True, env=env,
                       cwd=REPO, check=True)
    d = json.loads(r.stdout.strip().splitlines()[-1])
    rec.add(f"KDF: Argon2id at calibrated cost (t={d['params'][0]}, "
            f"m={d['params'][1] // 1024} MiB, p={d['params'][2]}) — reported separately",
            d["derive_s"], enc_cpu=d["derive_cpu_s"], load=_load_span(load),
            extra={"calibrate_s": d["calibrate_s"], "calibrate_cpu_s": d["calibrate_cpu_s"],
                   "floor_derive_ms": d["floor_derive_s"] * 1000,
                   "peak_rss_mib": d["peak_rss_mib"]})


# --- report --------------------------------------------------------------------------------


def machine() -> dict:
    import sqlcipher3

    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = ""
    with open("/proc/meminfo") as f:
        mem = f.readline().split(":", 1)[1].strip()
    c = sqlcipher3.connect(":memory:")
    cipher = c.execute("PRAGMA cipher_version").fetchone()[0]
    sqlite = c.execute("SELECT sqlite_version()").fetchone()[0]
    c.close()
    return {"nproc": os.cpu_count(), "cpu": model, "ram": mem,
            "python": platform.python_version(), "sqlcipher": cipher, "sqlite": sqlite,
            "sqlcipher3_module": getattr(sqlcipher3, "version", ""),
            "platform": platform.platform(), "loadavg_start": loadavg()}


def table(rows: list[dict]) -> str:
    out = ["| operation | runs | median ms | p95 ms | CPU median ms | CPU p95 ms | "
           "plain median ms | plain p95 ms | plain CPU median ms | ratio (wall) | ratio (CPU) "
           "| budget | pass | load avg (1/5/15) |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]

    def f(x):  # type: ignore[no-untyped-def]
        return "—" if x is None else (f"{x:.2f}" if isinstance(x, float) else str(x))

    for r in rows:
        budget = (f"< {r['budget_ms']:g} ms ({r['budget_on']})" if r.get("budget_ms") else "—")
        ok = r.get("pass")
        out.append(" | ".join([
            "", r["operation"], str(r["runs"]), f(r["median_ms"]), f(r["p95_ms"]),
            f(r.get("cpu_median_ms")), f(r.get("cpu_p95_ms")), f(r.get("plain_median_ms")),
            f(r.get("plain_p95_ms")), f(r.get("plain_cpu_median_ms")),
            f(r.get("ratio")), f(r.get("cpu_ratio")), budget,
            "—" if ok is None else ("PASS" if ok else "MISS"), r["load"], ""]).strip())
    return "\n".join(out)


ALL = ["kdf", "unlock", "search", "open_case", "save_note", "sar", "cold_start"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--size", choices=sorted(common.SIZES), default="typical")
    p.add_argument("--only", default=",".join(ALL), help="comma list of " + ",".join(ALL))
    p.add_argument("--runs", type=int, default=15, help="runs for the fast operations")
    p.add_argument("--sar-runs", type=int, default=3)
    p.add_argument("--cold-runs", type=int, default=5)
    args = p.parse_args(argv)
    if not (CACHE / args.size / "done-plain.json").exists():
        print(f"Generate the store first: python -m benchmarks.generate --size {args.size}")
        return 2
    rec = Recorder(args.size)
    meta = machine()
    print(json.dumps(meta), flush=True)
    for name in args.only.split(","):
        {"kdf": lambda: bench_kdf(rec),
         "unlock": lambda: bench_unlock(rec, args.runs),
         "search": lambda: bench_search(rec),
         "open_case": lambda: bench_open_case(rec, args.runs),
         "save_note": lambda: bench_save_note(rec, max(args.runs, 30)),
         "sar": lambda: bench_sar(rec, args.sar_runs),
         "cold_start": lambda: bench_cold_start(rec, args.cold_runs)}[name]()
    meta["loadavg_end"] = loadavg()
    meta["generated"] = {step: json.loads((CACHE / args.size / f"done-{step}.json").read_text())
                         for step in ("base", "documents", "fixtures", "plain")}
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    result = {"size": args.size, "machine": meta, "rows": rec.rows}
    path = CACHE / f"results-{args.size}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    print()
    print(table(rec.rows))
    print(f"\nSaved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

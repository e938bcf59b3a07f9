"""Where search time goes: ``python -m benchmarks.profile_search --size large``
(``--bounded``: measure the bounded-scoring fix suggested in RESULTS.md instead).

For the slowest queries of the benchmark set: the whole ``search_cases`` call, the FTS5
ranking statement alone (first batch fetched), how many index entries match, and the same on
the plain twin. Then a pyinstrument profile of the slowest few (if pyinstrument is installed).
"""

from __future__ import annotations

import argparse
import time

from benchmarks import common, twin
from benchmarks.run import search_queries


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="large")
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args()
    from sendiass_desktop.domain.search_query import build_query
    from sendiass_desktop.services import search
    from sendiass_desktop.store.search import _RANKED, BODY_WEIGHT, TITLE_WEIGHT

    enc = twin.encrypted_session(args.size)
    pl = twin.plain_session(args.size, enc)
    queries = search_queries(pl.conn)
    for q in queries[:20]:
        search.search_cases(enc, q)
    timed = []
    for q in queries:
        t0, c0 = time.perf_counter(), common.cpu()
        search.search_cases(enc, q)
        timed.append((common.cpu() - c0, time.perf_counter() - t0, q))
    timed.sort(reverse=True)
    print(f"load {common.loadavg()}")
    print("| query | search_cases CPU ms | wall ms | FTS matches | ranking stmt (1st batch) "
          "CPU ms enc | plain | count(*) MATCH CPU ms |")
    print("|---|---|---|---|---|---|---|")
    for cpu_s, wall, q in timed[:args.top]:
        match = build_query(q).match
        row = []
        for conn in (enc.conn, pl.conn):
            c0 = common.cpu()
            cur = conn.execute(_RANKED, (TITLE_WEIGHT, BODY_WEIGHT, match))
            cur.fetchmany(200)
            cur.close()
            row.append(common.cpu() - c0)
        c0 = common.cpu()
        n = enc.conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
                             (match,)).fetchone()[0]
        cnt = common.cpu() - c0
        print(f"| {q!r} | {cpu_s*1000:.0f} | {wall*1000:.0f} | {n:,} | {row[0]*1000:.0f} | "
              f"{row[1]*1000:.0f} | {cnt*1000:.0f} |")
    try:
        from pyinstrument import Profiler
    except ImportError:
        return
    prof = Profiler(interval=0.0005)
    prof.start()
    for _cpu, _wall, q in timed[:args.top]:
        search.search_cases(enc, q)
    prof.stop()
    print(prof.output_text(unicode=False, color=False, show_all=False))




# --- experiment: bounded scoring (a candidate fix, measured here, not in the product) -------

BOUNDED = (
    "SELECT rowid, score FROM (SELECT rowid, bm25(search_fts, ?, ?) AS score FROM search_fts "
    "WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid"
)


def bounded_experiment(size: str = "large", cap: int = 5000) -> None:
    """CPU of the product's ranking statement vs. scoring only the newest ``cap`` matches
    (FTS5 walks the doclist in rowid order and stops at the LIMIT, so bm25 runs ``cap``
    times instead of once per match)."""
    from sendiass_desktop.domain.search_query import build_query
    from sendiass_desktop.store.search import _RANKED, BODY_WEIGHT, TITLE_WEIGHT

    enc = twin.encrypted_session(size)
    print(f"load {common.loadavg()}; cap {cap}")
    print("| query | product ranking CPU ms | bounded CPU ms |")
    print("|---|---|---|")
    for q in ("sc", "sch", "school", "mum", "meeting", "letter", "school tr"):
        match = build_query(q).match
        a = b = 0.0
        for _ in range(3):
            c0 = common.cpu()
            cur = enc.conn.execute(_RANKED, (TITLE_WEIGHT, BODY_WEIGHT, match))
            cur.fetchmany(200)
            cur.close()
            a += common.cpu() - c0
            c0 = common.cpu()
            enc.conn.execute(BOUNDED, (TITLE_WEIGHT, BODY_WEIGHT, match, cap)).fetchmany(200)
            b += common.cpu() - c0
        print(f"| {q!r} | {a / 3 * 1000:.0f} | {b / 3 * 1000:.0f} |")
    enc.close()


if __name__ == "__main__":
    import sys

    if "--bounded" in sys.argv:
        sys.argv.remove("--bounded")
        bounded_experiment()
    else:
        main()

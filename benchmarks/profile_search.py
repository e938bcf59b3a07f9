"""Where search time goes: ``python -m benchmarks.profile_search --size large``
(``--bounded``: the bounded-scoring experiment from RESULTS.md, finding 1).

For the slowest queries of the benchmark set: the whole ``search_cases`` call, then the
store's two phases (``store/search.py``) on their own, encrypted and plain: the title phase
(names and references) and the body phase, each as the newest-first probe of up to
``RANK_LIMIT + 1`` matches plus, when there are no more than ``RANK_LIMIT``, the bm25
ranking; and how many index entries match. Then a pyinstrument profile of the slowest few
(if pyinstrument is installed).
"""

from __future__ import annotations

import argparse
import time

from benchmarks import common, twin
from benchmarks.run import search_queries


def _phase_cpu(conn, match: str) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """CPU of one phase as the product runs it (probe, then bm25 only if few), and matches read."""
    from sendiass_desktop.store import search as store_search

    c0 = common.cpu()
    cur = conn.execute(store_search._NEWEST, (match,))
    rows = cur.fetchmany(store_search.RANK_LIMIT + 1)
    cur.close()
    if len(rows) <= store_search.RANK_LIMIT and rows:
        conn.execute(store_search._RANKED, (store_search.TITLE_WEIGHT, store_search.BODY_WEIGHT,
                                            match)).fetchall()
    return common.cpu() - c0, len(rows)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="large")
    p.add_argument("--top", type=int, default=12)
    args = p.parse_args()
    from sendiass_desktop.domain.search_query import build_query
    from sendiass_desktop.services import search
    from sendiass_desktop.store import migrations
    from sendiass_desktop.store.search import RANK_LIMIT, titles_only

    enc = twin.encrypted_session(args.size)
    pl = twin.plain_session(args.size, enc)
    migrations.migrate(pl.conn)
    queries = search_queries(pl.conn)
    for q in queries[:20]:
        search.search_cases(enc, q)
    timed = []
    for q in queries:
        t0, c0 = time.perf_counter(), common.cpu()
        search.search_cases(enc, q)
        timed.append((common.cpu() - c0, time.perf_counter() - t0, q))
    timed.sort(reverse=True)
    print(f"load {common.loadavg()}; RANK_LIMIT {RANK_LIMIT}; a phase reading more than that "
          "many matches lists them newest first, unranked")
    print("| query | search_cases CPU ms | wall ms | FTS matches | title phase CPU ms enc / "
          "plain (matches read) | body phase CPU ms enc / plain (matches read) |")
    print("|---|---|---|---|---|---|")
    for cpu_s, wall, q in timed[:args.top]:
        query = build_query(q)
        match = query.match
        if match is None or sum(map(len, query.tokens)) < search.MIN_SEARCH_CHARS:
            print(f"| {q!r} | {cpu_s*1000:.0f} | {wall*1000:.0f} | (under "
                  f"{search.MIN_SEARCH_CHARS} characters: names only or a hint) | | |")
            continue
        n = enc.conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
                             (match,)).fetchone()[0]
        cells = []
        for phase in (titles_only(match), match):
            (e, read), (pln, _read) = _phase_cpu(enc.conn, phase), _phase_cpu(pl.conn, phase)
            cells.append(f"{e*1000:.1f} / {pln*1000:.1f} ({read:,}"
                         f"{'+' if read > RANK_LIMIT else ''})")
        print(f"| {q!r} | {cpu_s*1000:.0f} | {wall*1000:.0f} | {n:,} | {cells[0]} | "
              f"{cells[1]} |")
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


# --- experiment: bounded scoring (the fix RESULTS.md proposed; the product now bounds the
# work differently, see store/search.py) ---------------------------------------------------

BOUNDED = (
    "SELECT rowid, score FROM (SELECT rowid, bm25(search_fts, ?, ?) AS score FROM search_fts "
    "WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?) ORDER BY score, rowid"
)


def bounded_experiment(size: str = "large", cap: int = 5000) -> None:
    """CPU of ranking every match (``_RANKED``, what every search did before the bounded
    phases; still used for phases with few matches) vs. scoring only the newest ``cap`` matches
    (FTS5 walks the doclist in rowid order and stops at the LIMIT, so bm25 runs ``cap``
    times instead of once per match)."""
    from sendiass_desktop.domain.search_query import build_query
    from sendiass_desktop.store.search import _RANKED, BODY_WEIGHT, TITLE_WEIGHT

    enc = twin.encrypted_session(size)
    print(f"load {common.loadavg()}; cap {cap}")
    print("| query | full ranking CPU ms | bounded CPU ms |")
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

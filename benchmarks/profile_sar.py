"""Profile one SAR pack build: ``python -m benchmarks.profile_sar --size large``.

First ``--runs`` builds without the profiler (wall and CPU seconds, and the load
average, since the profiler itself roughly doubles the time), then one build under
pyinstrument (``--no-profile`` skips it). Each build is a new request for the
fixture subject, with ``accept_suggested=True`` and an encrypted PDF, as in
``benchmarks.run --only sar``; the first build also pays for imports and fonts.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks import common, twin


def _new_request(s: Any, person: int) -> int:
    from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
    from sendiass_desktop.services import sar

    today = date.today()
    created = sar.create_sar(s, SarRequest(
        ref="", requester_person_id=person, relationship=Relationship.SELF, received_on=today,
        created_by=s.user.username,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, today, s.user.username)))
    assert created.id is not None
    return created.id


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="large")
    p.add_argument("--runs", type=int, default=2, help="unprofiled builds first (default 2)")
    p.add_argument("--no-profile", action="store_true", help="only the unprofiled builds")
    p.add_argument("--interval", type=float, default=0.001, help="pyinstrument interval (s)")
    args = p.parse_args()

    from sendiass_desktop.services import sar

    person = json.loads((common.CACHE / args.size / "done-fixtures.json").read_text())[
        "sar_person_id"]
    s = twin.encrypted_session(args.size)
    folder = Path(tempfile.mkdtemp())
    for run in range(1, args.runs + 1):
        sar_id = _new_request(s, person)
        out = folder / f"pack-{run}.pdf"
        load = common.loadavg()
        c0, t0 = common.cpu(), time.perf_counter()
        result = sar.build_pack(s, sar_id, out, encrypt=True, accept_suggested=True)
        wall, cpu_s = time.perf_counter() - t0, common.cpu() - c0
        out.unlink()
        print(f"run {run}: wall {wall:.2f} s, CPU {cpu_s:.2f} s, {result.page_count} pages, "
              f"{result.disclosed + result.redacted + result.withheld} items; "
              f"load {load} -> {common.loadavg()}")
    if args.no_profile:
        return

    from pyinstrument import Profiler

    sar_id = _new_request(s, person)
    out = folder / "pack-profiled.pdf"
    prof = Profiler(interval=args.interval)
    prof.start()
    sar.build_pack(s, sar_id, out, encrypt=True, accept_suggested=True)
    prof.stop()
    out.unlink()
    print(f"load {common.loadavg()}")
    print(prof.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()

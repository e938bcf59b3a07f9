"""Child process for the SAR-pack benchmark (own process, so ru_maxrss is this run's peak).

argv: <encrypted|plain> <size> <person_id> <out.pdf>
Prints one JSON line: wall/CPU seconds of build_pack, pages, items, RSS before and peak.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def main() -> int:
    from benchmarks import common, twin

    mode, size, person_id, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    from datetime import date

    from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
    from sendiass_desktop.services import sar

    session = twin.encrypted_session(size)
    if mode == "plain":
        session = twin.plain_session(size, session)
    today = date.today()
    created = sar.create_sar(session, SarRequest(
        ref="", requester_person_id=person_id, relationship=Relationship.SELF,
        received_on=today, created_by=session.user.username,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, today, session.user.username)))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c0 = common.cpu()
    t0 = time.perf_counter()
    result = sar.build_pack(session, created.id, out, encrypt=True, accept_suggested=True)
    wall = time.perf_counter() - t0
    cpu_s = common.cpu() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall_s": wall, "cpu_s": cpu_s, "pages": result.page_count,
                      "items": result.disclosed + result.redacted + result.withheld,
                      "disclosed": result.disclosed, "redacted": result.redacted,
                      "withheld": result.withheld, "rss_before_mib": rss_before / 1024,
                      "peak_rss_mib": peak / 1024}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

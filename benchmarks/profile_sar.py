"""Profile one SAR pack build: ``python -m benchmarks.profile_sar --size large``."""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import date
from pathlib import Path

from benchmarks import common, twin


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--size", default="large")
    args = p.parse_args()
    from pyinstrument import Profiler

    from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
    from sendiass_desktop.services import sar

    person = json.loads((common.CACHE / args.size / "done-fixtures.json").read_text())[
        "sar_person_id"]
    s = twin.encrypted_session(args.size)
    today = date.today()
    created = sar.create_sar(s, SarRequest(
        ref="", requester_person_id=person, relationship=Relationship.SELF, received_on=today,
        created_by=s.user.username,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, today, s.user.username)))
    out = Path(tempfile.mkdtemp()) / "pack.pdf"
    prof = Profiler(interval=0.001)
    prof.start()
    sar.build_pack(s, created.id, out, encrypt=True, accept_suggested=True)
    prof.stop()
    out.unlink()
    print(f"load {common.loadavg()}")
    print(prof.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()

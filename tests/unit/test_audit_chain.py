from __future__ import annotations

from dataclasses import replace

from sendiass_desktop.domain.audit import (
    GENESIS_HASH,
    AuditEntry,
    canonical_detail,
    entry_hash,
    verify_chain,
)


def make_chain(n: int) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(1, n + 1):
        detail = canonical_detail({"n": seq})
        at = f"2026-11-26T10:00:{seq:02d}.000000+00:00"
        digest = entry_hash(prev, seq, at, "alice", "record.read", "case", str(seq), detail)
        entries.append(AuditEntry(seq, at, "alice", "record.read", "case", str(seq), detail,
                                  prev, digest))
        prev = digest
    return entries


def test_intact_chain_verifies() -> None:
    assert verify_chain(make_chain(20), expected_last_seq=20) is None
    assert verify_chain([], expected_last_seq=0) is None


def test_edited_entry_is_named() -> None:
    chain = make_chain(10)
    chain[4] = replace(chain[4], detail=canonical_detail({"n": 999}))
    brk = verify_chain(chain)
    assert brk is not None and brk.seq == 5
    assert "changed" in brk.describe()


def test_edit_with_recomputed_hash_breaks_next_link() -> None:
    chain = make_chain(10)
    e = chain[4]
    forged_detail = canonical_detail({"n": 999})
    forged_hash = entry_hash(e.prev_hash, e.seq, e.at, e.actor, e.action, e.target_type,
                             e.target_id, forged_detail)
    chain[4] = replace(e, detail=forged_detail, hash=forged_hash)
    brk = verify_chain(chain)
    assert brk is not None and brk.seq == 6


def test_deleted_middle_entry_is_named() -> None:
    chain = make_chain(10)
    del chain[3]
    brk = verify_chain(chain)
    assert brk is not None and brk.seq == 4


def test_truncated_tail_is_caught_with_highest_issued_seq() -> None:
    chain = make_chain(10)[:7]
    assert verify_chain(chain) is None  # the chain alone cannot see a cut tail
    brk = verify_chain(chain, expected_last_seq=10)
    assert brk is not None and brk.seq == 8


def test_canonical_detail_is_order_independent() -> None:
    assert canonical_detail({"b": 1, "a": 2}) == canonical_detail({"a": 2, "b": 1})

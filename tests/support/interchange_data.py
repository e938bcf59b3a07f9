"""A deterministic generator of large interchange CSV files (synthetic data only).

Independent of the export code on purpose: it writes rows the way a person or
another system might (local labels and store references mixed, labels instead
of codes, DD/MM/YYYY dates, awkward text), so importing it tests the parser,
and exporting what was imported tests the writer.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta

from sendiass_desktop.domain.interchange_format import CSV_COLUMNS

GIVEN = ("Amira", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack",
         "Kai", "Lena", "Mo", "Nia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq")
FAMILY = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Fletcher", "Green", "Hussain",
          "Iqbal", "Jones", "Kowalski", "Lewis", "Murphy", "Nguyen", "O'Brien", "Patel",
          "Quigley", "Roberts", "Smith", "Taylor")
WORDS = ("school", "plan", "meeting", "assessment", "letter", "review", "support", "teacher",
         "provision", "advice", "tribunal", "draft", "section", "transport", "evidence",
         "SENCO", "parent", "young", "person", "needs", "outcome", "college", "decision")
AWKWARD = ("=SUM(A1:A3)", "+44 7700 900000", "-not a formula", "@mention", "semi;colon",
           'say "hello"', "back\\slash", "line one\nline two", "accent: café, naïve, Zoë",
           "'apostrophe first")
NOTE_TYPES = ("call", "Email", "meeting", "Letter", "visit", "Text message", "other")
ISSUES = ("ehc_needs_assessment", "EHC plan content", "annual_review", "sen_support",
          "school_placement", "exclusion", "tribunal_appeal", "transport")
KINDS = ("ehc_decision_to_assess", "ehc_final_plan", "tribunal_appeal", "annual_review", "task")


class _Writer:
    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self.out = io.StringIO(newline="")
        self.csv = csv.writer(self.out, lineterminator="\r\n")
        self.csv.writerow(columns)
        self.rows = 0

    def row(self, record_type: str, **cells: str) -> None:
        cells["record_type"] = record_type
        self.csv.writerow([cells.get(c, "") for c in self.columns])
        self.rows += 1


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _date_text(rng: random.Random, d: date) -> str:
    return d.strftime("%d/%m/%Y") if rng.random() < 0.3 else d.isoformat()


def _text(rng: random.Random, words: int) -> str:
    body = " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."
    if rng.random() < 0.1:
        body = rng.choice(AWKWARD) + " " + body
    return body


def _escape(item: str) -> str:
    return item.replace("\\", "\\\\").replace(";", "\\;")


def big_csv(cases: int = 5000, seed: int = 2026, officers: tuple[str, ...] = ("alice", "bob"),
            last_day: date = date(2026, 6, 30)) -> tuple[str, dict[str, int]]:
    """CSV text and the number of rows of each record type it holds."""
    rng = random.Random(seed)
    # Columns in a different order from the exporter's, to show order does not matter.
    columns = tuple(sorted(CSV_COLUMNS, key=lambda c: (c != "record_type", c)))
    w = _Writer(columns)
    counts = dict.fromkeys(("person", "case", "party", "note", "consent", "safeguarding",
                            "deadline"), 0)
    person_number = 500_000
    for i in range(cases):
        officer = rng.choice(officers)
        opened = _day(rng, date(2021, 1, 4), last_day - timedelta(days=10))
        explicit = i % 3 == 0  # a third use store references, the rest local labels
        parent = f"P-{person_number:06d}" if explicit else f"parent-{i}"
        child = f"P-{person_number + 1:06d}" if explicit else f"child-{i}"
        person_number += 2
        family = rng.choice(FAMILY)
        w.row("person", person_ref=parent, given_name=rng.choice(GIVEN), family_name=family,
              person_role=rng.choice(("parent_carer", "Parent or carer")),
              email=f"family{i}@example.org" if rng.random() < 0.5 else "",
              phone=f"07700 9{i % 100000:05d}", postcode=f"NB{i % 9 + 1} {i % 10}AB",
              address=f"{i % 200 + 1} {rng.choice(WORDS).title()} Road\nNorthborough",
              language=rng.choice(("English", "English", "Polish", "Urdu", "")))
        w.row("person", person_ref=child, given_name=rng.choice(GIVEN), family_name=family,
              person_role="child_young_person",
              date_of_birth=_date_text(rng, _day(rng, date(2004, 1, 1), date(2020, 12, 31))),
              pronouns=rng.choice(("", "", "he/him", "she/her", "they/them")),
              access_needs=_text(rng, 4) if rng.random() < 0.2 else "")
        counts["person"] += 2
        case = (f"GEN-{opened.year}-{i + 1:05d}" if explicit else f"case-{i}")
        closed = (opened + timedelta(days=rng.randrange(5, 200))
                  if rng.random() < 0.3 else None)
        if closed is not None and closed > last_day:
            closed = None
        issues = rng.sample(ISSUES, rng.randrange(0, 3))
        w.row("case", case_ref=case, opened_on=_date_text(rng, opened),
              referral_date=(opened - timedelta(days=rng.randrange(0, 14))).isoformat(),
              referral_source=rng.choice(("self", "School or setting", "health", "other")),
              primary_ref=parent, child_ref=child,
              school_setting=f"{rng.choice(WORDS).title()} Primary School",
              local_authority="Northborough Council", issue_types="; ".join(issues),
              ehc_stage=rng.choice(("", "request_made", "assessing", "Final plan issued")),
              outcomes="advice_given; resolved" if closed else "",
              closed_on=closed.isoformat() if closed else "",
              summary=_text(rng, 12), assigned_officer=officer,
              young_person_officers=officer if rng.random() < 0.2 else "",
              paper_records="Cabinet A" if rng.random() < 0.05 else "",
              legal_hold=rng.choice(("no", "", "yes" if rng.random() < 0.1 else "")))
        counts["case"] += 1
        if rng.random() < 0.25:
            prof = f"prof-{i}"
            w.row("person", person_ref=prof, given_name=rng.choice(GIVEN),
                  family_name=rng.choice(FAMILY), person_role="professional",
                  organisation=f"{rng.choice(WORDS).title()} School")
            w.row("party", case_ref=case, person_ref=prof, party_role="professional")
            counts["person"] += 1
            counts["party"] += 1
        note_ids: list[str] = []
        moment = datetime.combine(opened, datetime.min.time()) + timedelta(hours=9)
        for n in range(rng.randrange(2, 6)):
            moment += timedelta(days=rng.randrange(0, 20), minutes=rng.randrange(0, 600))
            note_id = f"n{i}-{n}"
            note_ids.append(note_id)
            confidentiality = rng.choices(("", "normal", "young_person", "restricted"),
                                          (10, 5, 2, 1))[0]
            third = ([_escape(rng.choice(AWKWARD)), f"{rng.choice(GIVEN)} (teacher)"]
                     if rng.random() < 0.15 else [])
            w.row("note", case_ref=case, note_id=note_id,
                  occurred_at=(moment.strftime("%d/%m/%Y %H:%M") if rng.random() < 0.2
                               else moment.strftime("%Y-%m-%d %H:%M")),
                  note_type=rng.choice(NOTE_TYPES), author=rng.choice(officers),
                  body=_text(rng, rng.randrange(5, 60)), confidentiality=confidentiality,
                  safeguarding=rng.choice(("", "no", "yes" if rng.random() < 0.1 else "0")),
                  third_parties="; ".join(third))
            counts["note"] += 1
        for c in range(rng.randrange(0, 3)):
            recorded = datetime.combine(opened, datetime.min.time()) + timedelta(
                days=c * 30, hours=10, minutes=c)
            w.row("consent", case_ref=case, person_ref=parent,
                  recipient=rng.choice(("school", "la_send_team", "Health")),
                  purpose=rng.choice(("discuss_case", "share_records")),
                  consent_state="given" if c == 0 else rng.choice(("given", "withdrawn")),
                  recorded_at=recorded.strftime("%Y-%m-%d %H:%M"),
                  method=rng.choice(("verbal", "written", "By email")),
                  recorded_by=officer,
                  expires_on=(recorded.date() + timedelta(days=365)).isoformat()
                  if rng.random() < 0.3 else "")
            counts["consent"] += 1
        if rng.random() < 0.05:
            w.row("safeguarding", case_ref=case, raised_on=moment.date().isoformat(),
                  description=_text(rng, 20), decided_by="Duty manager",
                  safeguarding_action=rng.choice(("mash", "dsl", "advice_sought")),
                  concern_status="open", linked_notes="; ".join(note_ids[-2:]),
                  raised_by=officer)
            counts["safeguarding"] += 1
        for _ in range(rng.randrange(0, 3)):
            kind = rng.choice(KINDS)
            due = opened + timedelta(days=rng.randrange(10, 300))
            w.row("deadline", case_ref=case, deadline_kind=kind,
                  deadline_label=_text(rng, 4), due_on=_date_text(rng, due), owner=officer,
                  done_on=due.isoformat() if due < last_day and rng.random() < 0.5 else "",
                  source="" if kind == "task" else kind.split("_")[0], created_by=officer)
            counts["deadline"] += 1
    return w.out.getvalue(), counts

"""Reasons for redacting or withholding information from a SAR pack or extract.

A maintained list: each code is stored with the decision and printed on the
redaction bar, so codes never change meaning. Add new ones; never reuse a code.
"""

from __future__ import annotations

from sendiass_desktop.domain.labels import LabelledEnum


class Exemption(LabelledEnum):
    THIRD_PARTY = (
        "S2P3",
        "Information about other people (DPA 2018 Sch 2 Pt 3 para 16)",
    )
    SERIOUS_HARM = (
        "S3-HARM",
        "Likely to cause serious harm to someone's physical or mental health "
        "(DPA 2018 Sch 3 Pts 2–4)",
    )
    CHILD_ABUSE = (
        "S3P5",
        "Child abuse data; disclosure to the parent would not be in the child's best interests "
        "(DPA 2018 Sch 3 Pt 5 para 21)",
    )
    YOUNG_PERSON_CONFIDENCE = (
        "YP-CONF",
        "Told to the service in confidence by the young person, whose information it is; the "
        "parent is not entitled to it (UK GDPR Art 15(4); ICO guidance on children's rights)",
    )
    LEGAL_PRIVILEGE = (
        "S2P4-LPP",
        "Legal professional privilege (DPA 2018 Sch 2 Pt 4 para 19)",
    )
    CRIME = (
        "S2P1-CRIME",
        "Prevention or detection of crime (DPA 2018 Sch 2 Pt 1 para 2)",
    )
    NEGOTIATIONS = (
        "S2P4-NEG",
        "Negotiations with the requester (DPA 2018 Sch 2 Pt 4 para 23)",
    )
    CONFIDENTIAL_REFERENCE = (
        "S2P4-REF",
        "Confidential reference (DPA 2018 Sch 2 Pt 4 para 24)",
    )
    NOT_PERSONAL_DATA = (
        "NOT-PD",
        "Not the requester's personal data (outside the scope of the request)",
    )

    @property
    def short(self) -> str:
        """What is printed on a redaction bar: the code only, so it always fits."""
        return self.code

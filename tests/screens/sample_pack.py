"""Render a realistic sample SAR pack and its pages as PNGs, to look at.

    .venv/bin/python tests/screens/sample_pack.py /tmp/pack-pages

writes ``sample-pack.pdf`` (unencrypted, invented data only) and
``page-01.png``, ``page-02.png``, ... (via ``pdftoppm -r 70``) into the folder.
Everything in it is invented: Mrs Sarah Jones, her son Tom, the school and the
officers do not exist.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sendiass_desktop.domain.exemptions import Exemption  # noqa: E402
from sendiass_desktop.domain.pack import (  # noqa: E402
    Article15Info,
    CoverLetter,
    Pack,
    PackAttachment,
    PackField,
    PackKind,
    PackRecord,
)
from sendiass_desktop.domain.redaction import (  # noqa: E402
    Segment,
    Span,
    apply_redactions,
    suggest_spans,
)
from sendiass_desktop.reports.pack_pdf import render_pack  # noqa: E402

THIRD_PARTIES = ("Mrs Patel (class teacher)", "Gary Fenwick", "Dr Okafor")


def _text(value: str) -> tuple[Segment, ...]:
    return (Segment(text=value),)


def _redacted(value: str, *extra: Span) -> tuple[Segment, ...]:
    """Redact third parties the way the review screen suggests, plus extra spans."""
    spans = suggest_spans(value, THIRD_PARTIES) + tuple(extra)
    return apply_redactions(value, spans)


def _span(text: str, phrase: str, exemption: Exemption) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase), exemption)


def school_report_pdf() -> bytes:
    """A two-page 'letter from school' PDF attachment, drawn in memory."""
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    c.setTitle("Riverside Primary letter")
    c.setFillColorRGB(0.18, 0.45, 0.3)
    c.rect(0, height - 30 * mm, width, 30 * mm, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(20 * mm, height - 18 * mm, "Riverside Primary School")
    c.setFillColorRGB(0, 0, 0)
    c.setFont("Helvetica", 11)
    lines = [
        "12 February 2026",
        "",
        "Dear Mrs Jones,",
        "",
        "Re: Tom Jones, Year 4 - SEN support plan review",
        "",
        "Thank you for meeting us on 10 February to review Tom's SEN support plan.",
        "We agreed to continue daily phonics intervention and to add a movement",
        "break before literacy lessons. Tom's reading age has risen by seven months",
        "since September, and he is now using his visual timetable independently.",
        "",
        "We will review the plan again before the Easter holidays.",
        "",
        "Yours sincerely,",
        "",
        "SENCo, Riverside Primary School",
    ]
    y = height - 45 * mm
    for line in lines:
        c.drawString(20 * mm, y, line)
        y -= 6 * mm
    c.setFont("Helvetica", 8)
    c.drawString(20 * mm, 15 * mm, "Riverside Primary School, Mill Lane, Northtown NT4 2AB")
    c.showPage()
    c.setFont("Helvetica-Bold", 13)
    c.drawString(20 * mm, height - 25 * mm, "Appendix: targets agreed")
    c.setFont("Helvetica", 11)
    y = height - 38 * mm
    for target in (
        "1. Read 20 new high-frequency words by Easter.",
        "2. Use the calm corner when he feels overwhelmed, with an adult nearby.",
        "3. Write three sentences independently using his word mat.",
    ):
        c.drawString(20 * mm, y, target)
        y -= 7 * mm
    c.showPage()
    c.save()
    return buffer.getvalue()


def drawing_png() -> bytes:
    """A simple 'visual timetable' picture as a PNG attachment."""
    image = Image.new("RGB", (900, 600), "white")
    draw = ImageDraw.Draw(image)
    colours = ["#F6C85F", "#6F4E7C", "#0B84A5", "#9DD866", "#CA472F"]
    labels = ["Arrive", "Phonics", "Break", "Maths", "Home"]
    for i, (colour, _label) in enumerate(zip(colours, labels, strict=True)):
        x = 40 + i * 170
        draw.rounded_rectangle((x, 180, x + 140, 420), radius=18, fill=colour)
        draw.ellipse((x + 40, 230, x + 100, 290), fill="white")
    draw.rectangle((40, 60, 860, 120), outline="#333333", width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def build_sample_pack() -> Pack:
    letter = CoverLetter(
        service_name="Northshire SENDIASS",
        service_address=("Unit 4, Riverside House", "12 Canal Street", "Northtown", "NT1 3XY",
                         "Telephone 01632 960 123"),
        requester_name="Mrs Sarah Jones",
        requester_address=("14 Acacia Avenue", "Northtown", "NT2 5QP"),
        reference="SAR-2026-0007",
        received_on=date(2026, 10, 29),
        sent_on=date(2026, 11, 26),
        signed_by="Helen Carter",
        signed_role="Service Manager",
        about_whom="you and your son, Tom Jones",
        some_withheld=True,
    )  # fmt: skip
    article15 = Article15Info(
        purposes=(
            "To give you free, impartial and confidential information, advice and support "
            "about special educational needs and disability (SEND).",
            "To keep a record of the help we have given, so that any of our officers can "
            "pick up your case.",
            "To keep children safe, where we are worried about a child's safety.",
        ),
        categories=(
            "Your name, address, telephone number and email address.",
            "Information about your son: his name, date of birth, school and special "
            "educational needs.",
            "Notes of our conversations, meetings and letters.",
            "Health information, where you told us about it.",
        ),
        recipients=(
            "Riverside Primary School and the Local Authority SEND team, only when you agreed.",
            "Children's social care, only where we had a safeguarding concern.",
        ),
        retention="We keep case records for six years after our last contact with you, "
                  "then destroy them securely.",
        source="From you, and from the school and professionals you asked us to contact.",
        rights=(
            "You can ask us to correct information that is wrong (rectification).",
            "You can ask us to delete information (erasure), in some circumstances.",
            "You can ask us to limit how we use your information (restriction).",
            "You can object to how we use your information (objection).",
        ),
        complaint="You can complain to the Information Commissioner's Office, Wycliffe House, "
                  "Water Lane, Wilmslow, Cheshire SK9 5AF; telephone 0303 123 1113; "
                  "website ico.org.uk.",
    )  # fmt: skip

    call_1 = (
        "Mrs Jones phoned for advice. Tom (Year 4) is struggling with reading and has been "
        "coming home upset most days. His class teacher, Mrs Patel (class teacher), has said "
        "he is on SEN support but Mrs Jones has not seen a support plan.\n\n"
        "We talked through what SEN support should look like under the SEND Code of Practice "
        "(graduated approach: assess, plan, do, review) and how to ask the school for a "
        "meeting with the SENCo. I sent our factsheet on SEN support by email."
    )
    meeting = (
        "Attended the school review meeting with Mrs Jones. Present: SENCo, Mrs Patel, "
        "Mrs Jones and me.\n\n"
        "The school described Tom's progress with phonics and agreed to add movement breaks. "
        "Mrs Jones asked whether an EHC needs assessment could be requested; I explained that "
        "parents can ask the Local Authority directly, and what evidence helps.\n\n"
        "Mrs Patel mentioned a difficulty at home involving Gary Fenwick, which was not "
        "discussed further in the meeting."
    )
    long_note = (
        "Long call with Mrs Jones about requesting an EHC needs assessment.\n\n"
        + "We went through the request letter together, section by section. " * 6
        + "\n\nShe asked for help gathering evidence: reports from the educational psychologist "
        "(see https://www.example.org.uk/send/ehc-needs-assessment/evidence-checklist?ref=sar "
        "for the checklist we use), speech and language therapy notes, and the school's "
        "record of interventions.\n\n"
        + "We agreed the next steps and I will call back once the letter has been sent. " * 4
        + "\n\nDr Okafor's letter of 3 March was discussed; Mrs Jones will ask for a copy."
    )
    ca_text = (
        "Call from Mrs Jones. She is worried about something Tom said about an adult at his "
        "after-school club. I followed our safeguarding procedure and discussed it with the "
        "designated safeguarding lead the same day."
    )
    safeguarding_detail = (
        "Referral made to the children's social care front door (MASH) on the advice of the "
        "designated safeguarding lead. Reference number and outcome recorded separately."
    )

    records = (
        PackRecord("Case", "Case opened", date(2026, 1, 14), fields=(
            PackField("Case reference", _text("NS-2026-0142")),
            PackField("Child or young person", _text("Tom Jones")),
            PackField("School or setting", _text("Riverside Primary School")),
            PackField("Referral source", _text("Self-referral by parent (phone)")),
            PackField("Issues", _text("SEN support; EHC needs assessment")),
        )),
        PackRecord("Case note", "Phone call with Mrs Jones", date(2026, 1, 14),
                   fields=(PackField("Officer", _text("Amir Hussain")),),
                   body=_redacted(call_1)),
        PackRecord("Consent", "Consent to contact the school", date(2026, 1, 20), fields=(
            PackField("Given by", _text("Mrs Sarah Jones")),
            PackField("Recipient", _text("Riverside Primary School (SENCo)")),
            PackField("Purpose", _text("To discuss Tom's SEN support and attend meetings")),
            PackField("How recorded", _text("Verbally on the telephone, confirmed by email")),
            PackField("Status", _text("Given")),
        )),
        PackRecord("Case note", "Email to Mrs Jones", date(2026, 1, 21),
                   fields=(PackField("Officer", _text("Amir Hussain")),),
                   body=_text("Sent the SEN support factsheet and a template letter asking "
                              "the school for a meeting with the SENCo.")),
        PackRecord("Case note", "School review meeting", date(2026, 2, 10),
                   fields=(PackField("Officer", _text("Amir Hussain")),
                           PackField("Type", _text("Meeting"))),
                   body=_redacted(meeting)),
        PackRecord("Case note", "Phone call: EHC needs assessment request", date(2026, 3, 4),
                   fields=(PackField("Officer", _text("Amir Hussain")),),
                   body=_redacted(long_note)),
        PackRecord("Consent", "Consent to share with the Local Authority", date(2026, 3, 5),
                   fields=(
                       PackField("Given by", _text("Mrs Sarah Jones")),
                       PackField("Recipient", _text("Northshire County Council SEND team")),
                       PackField("Purpose", _text("Support with the EHC needs assessment "
                                                  "request")),
                       PackField("Status", _text("Given")),
                   )),
        PackRecord("Case note", "Letter sent to the Local Authority", date(2026, 3, 12),
                   fields=(PackField("Officer", _text("Amir Hussain")),),
                   body=_text("With Mrs Jones's consent, sent a letter supporting her request "
                              "for an EHC needs assessment for Tom, enclosing the school's "
                              "record of interventions.")),
        PackRecord("Case note", "Phone call about after-school club", date(2026, 4, 2),
                   fields=(PackField("Officer", _text("Amir Hussain")),
                           PackField("Safeguarding", _text("Yes"))),
                   body=_redacted(ca_text, _span(ca_text, "an adult at his after-school club",
                                                 Exemption.CHILD_ABUSE))),
        PackRecord("Safeguarding", "Safeguarding concern recorded", date(2026, 4, 2), fields=(
            PackField("Decided by", _text("Designated safeguarding lead")),
            PackField("Action", _text("Referral to children's social care (MASH)")),
            PackField("Details", _redacted(safeguarding_detail, _span(
                safeguarding_detail, "Reference number and outcome recorded separately.",
                Exemption.SERIOUS_HARM))),
        )),
        PackRecord("Case note", "Decision to assess", date(2026, 4, 22),
                   fields=(PackField("Officer", _text("Amir Hussain")),),
                   body=_text("Mrs Jones called to say the Local Authority has agreed to carry "
                              "out an EHC needs assessment. Talked through the 20-week "
                              "timetable and what happens next. Tom is \u201cmuch happier\u201d "
                              "since the movement breaks started.")),
        PackRecord("Case note", "Draft plan received", date(2026, 8, 19),
                   fields=(PackField("Officer", _text("Zofia Kowalczyk")),),
                   body=_text("Mrs Jones has received the draft EHC plan. We arranged a "
                              "meeting to go through sections B and F together, and I "
                              "explained her right to ask for a particular school in "
                              "section I.\n\nShe will email her comments by 2 September.")),
        PackRecord("Case note", "Case closed", date(2026, 9, 30),
                   fields=(PackField("Officer", _text("Zofia Kowalczyk")),),
                   body=_text("The final EHC plan was issued on 22 September. Mrs Jones is "
                              "happy with it and agreed that we close the case. She knows she "
                              "can contact us again at any time.")),
    )  # fmt: skip
    attachments = (
        PackAttachment("riverside-review-letter.pdf", "application/pdf", school_report_pdf(),
                       title="Letter from Riverside Primary School"),
        PackAttachment("visual-timetable.png", "image/png", drawing_png(),
                       title="Tom's visual timetable"),
        PackAttachment("ehc-request-draft.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                       b"PK\x03\x04 not really a docx", title="Draft EHC request letter"),
    )  # fmt: skip
    return Pack(
        kind=PackKind.SAR,
        letter=letter,
        article15=article15,
        records=records,
        attachments=attachments,
        exemptions_used=(Exemption.THIRD_PARTY, Exemption.CHILD_ABUSE, Exemption.SERIOUS_HARM),
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    pdf = render_pack(build_sample_pack())
    target = out / "sample-pack.pdf"
    target.write_bytes(pdf)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "70", str(target), str(out / "page")],
                       check=True)  # fmt: skip
    print(f"Wrote {target} and {len(list(out.glob('page-*.png')))} page images.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

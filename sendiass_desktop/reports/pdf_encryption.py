"""Encrypt an exported PDF with a passphrase: AES-256, PDF 2.0 security handler R6.

The only file this application writes in readable form is the export the user
asks for, and even that is encrypted, because it may travel by post, email or
memory stick before the requester opens it. The passphrase goes to the
requester by another channel (usually a phone call; see
:mod:`sendiass_desktop.domain.passphrase` for generated ones).

Rules this module keeps:

* Everything happens in memory: the plaintext PDF comes in as ``bytes`` and the
  encrypted one goes out as ``bytes``. Writing the file (atomically, in the
  folder the user chose) is the caller's job.
* AES-256 with revision 6 of the standard security handler, the only PDF
  encryption that is not known to be weak. R6 hashes the passphrase with the
  iterated SHA-256/384/512 scheme of ISO 32000-2, which makes every offline
  guess costly. The file says "PDF 1.7, Adobe extension level 8" (where R6
  first appeared) rather than "PDF 2.0": the encryption is identical, and
  older readers that know R6 do not trip over the version number.
* The owner password is random and thrown away. Nobody at the service needs to
  change the file's permissions later (they re-export instead), and a known or
  guessable owner password would let anyone with the user passphrase strip the
  permissions. The permissions themselves are advisory (readers honour them),
  not a security boundary: the user passphrase is.
* Permissions allow printing and copying text (families print the pack and
  screen readers need the text); they refuse editing, so a reader that honours
  them will not let the pack be altered and passed on as the service's own.
* Strings and streams, including the document information (title, author),
  are encrypted; nothing of the content is readable without the passphrase.
"""

from __future__ import annotations

import io
import secrets
from typing import Final

import pikepdf

__all__ = ["MIN_PASSPHRASE_LENGTH", "PassphraseError", "encrypt_pdf"]

#: Shortest passphrase accepted. A generated one is far longer (five words);
#: this stops an empty or trivial passphrase typed by hand.
MIN_PASSPHRASE_LENGTH: Final = 10

# R6 hashes the password as UTF-8 after SASLprep, which PDF readers apply
# unevenly to non-ASCII text; a passphrase of printable ASCII opens the same
# way in every reader. (127 bytes is the most R6 uses; longer would be cut.)
_MAX_PASSPHRASE_LENGTH: Final = 127


class PassphraseError(ValueError):
    """The passphrase cannot be used; the message is fit to show to the user."""


def _check_passphrase(passphrase: str) -> None:
    if len(passphrase.strip()) < MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"The passphrase must be at least {MIN_PASSPHRASE_LENGTH} characters long. "
            "Use the generated passphrase if you can: it is easy to read out over the phone."
        )
    if len(passphrase) > _MAX_PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"The passphrase must be at most {_MAX_PASSPHRASE_LENGTH} characters long."
        )
    if not all(" " <= ch <= "~" for ch in passphrase):
        raise PassphraseError(
            "Use only unaccented letters, digits, spaces and the punctuation on a standard "
            "keyboard (not £ or €), so that the passphrase works in every PDF reader."
        )


def encrypt_pdf(pdf: bytes, passphrase: str) -> bytes:
    """Return ``pdf`` encrypted with AES-256 (R6) so that it opens only with ``passphrase``.

    Raises:
        PassphraseError: if the passphrase is too short, too long, or uses
            characters that PDF readers may treat differently.
        pikepdf.PdfError: if ``pdf`` is not a readable PDF.
    """
    _check_passphrase(passphrase)
    # A random owner password, never stored or shown: see the module docstring.
    owner = secrets.token_urlsafe(32)
    permissions = pikepdf.Permissions(
        accessibility=True,
        extract=True,
        print_lowres=True,
        print_highres=True,
        modify_annotation=False,
        modify_assembly=False,
        modify_form=False,
        modify_other=False,
    )
    encryption = pikepdf.Encryption(
        owner=owner, user=passphrase, R=6, aes=True, metadata=True, allow=permissions
    )
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        document.save(
            out,
            encryption=encryption,
            # Object streams pack the many small objects together (smaller file);
            # with encryption on they are encrypted like everything else.
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            compress_streams=True,
        )
    return out.getvalue()

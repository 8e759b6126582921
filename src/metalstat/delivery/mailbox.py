"""A file mailbox: each message is one ``.eml`` file named by its delivery key.

Django's own file backend appends every message of a connection to one log file; this one
keeps one file per message, written to a temporary name and linked into place, so a reader
never sees half a message and a message sent again after a crash (same key) is kept once,
as a mail system drops a copy with a Message-ID it already has.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from typing_extensions import override

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class MailboxBackend(BaseEmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    @override
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        self.directory.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            key = str(message.extra_headers.get("X-Metalstat-Delivery") or message.message()["Message-ID"])
            name = _UNSAFE.sub("_", key.strip("<>"))[:200] + ".eml"
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(message.message().as_bytes(linesep="\n"))
                with contextlib.suppress(FileExistsError):  # the same message again: kept once
                    os.link(tmp, self.directory / name)
            finally:
                os.unlink(tmp)
            sent += 1
        return sent

"""A stakeplug adapter that reads a local mailbox file (mbox), written as a third-party plugin.

It exists to show how an adapter is written outside stakeplug, using only the
public API (``stakeplug``, ``stakeplug.adapter``, ``stakeplug.errors`` and, in
its tests, ``stakeplug.testing``), and to evidence one behaviour no tracker
shows well: *answers your messages*.

Each mail becomes a ``comment`` activity of tool ``email`` on the item of its
thread:

* the item is the thread, identified by the Message-ID of its first mail
  (found through ``References``, else by following ``In-Reply-To``), with
  kind ``message`` and the first mail's subject as title;
* the actor is the sender's address (lower case);
* a mail sent by the team (an address in ``team_addresses``) is addressed to
  its ``To`` and ``Cc`` recipients outside the team: those are its
  ``addressees``, a message that asks them for an answer;
* a reply by a stakeholder is a comment by them on the same thread, and the
  engine pairs it with the team's message to find the answer.

Only headers are parsed; bodies are never read nor stored.  Mails without a
usable ``Date`` are skipped and counted in :attr:`MboxAdapter.stats`.

Options (``[[sources]]`` table with ``adapter = "mbox"``): ``path``
(required) and ``team_addresses`` (the team's addresses; without it every
mail is addressed to all its recipients).
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import mailbox
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

from stakeplug import Activity, ActivityKind, Item, ItemKind
from stakeplug.adapter import (
    Capabilities,
    Checker,
    Option,
    ReadOnlyAdapter,
    config_place,
    in_window,
    parse_options,
    utc_window,
)
from stakeplug.errors import NotFoundError, TrackerError

__all__ = ["MboxAdapter"]
__version__ = "0.1.0"

log = logging.getLogger("stakeplug_mbox")

TOOL = "email"
_MSGID = re.compile(r"<([^<>\s]+)>")
_REPLY_PREFIX = re.compile(r"^\s*((re|aw|sv|fwd?)\s*:\s*)+", re.IGNORECASE)


def _ids(value: str | None) -> list[str]:
    return _MSGID.findall(value or "")


def _addresses(message: Message, *headers: str) -> list[str]:
    values = [str(v) for h in headers for v in message.get_all(h, [])]
    found: list[str] = []
    for _name, raw in email.utils.getaddresses(values):
        addr = raw.strip().lower()
        if "@" in addr and addr not in found:
            found.append(addr)
    return found


def _utc(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": the time is UTC, the sender's zone unknown (RFC 5322)
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


class _Mail:
    """The headers of one mail that the adapter needs."""

    __slots__ = ("id", "parent", "recipients", "references", "sender", "subject", "when")

    def __init__(self, message: Message, when: datetime, position: int):
        own = _ids(message.get("Message-ID"))
        sender = _addresses(message, "From")
        self.sender = sender[0] if sender else None
        self.subject = str(message.get("Subject") or "").strip()
        self.when = when
        if own:
            self.id = own[0]
        else:  # a stable stand-in, so reruns recognize the same mail
            digest = hashlib.sha256(
                f"{self.sender}|{when.isoformat()}|{self.subject}|{position}".encode()
            ).hexdigest()[:16]
            self.id = f"{digest}@stakeplug-mbox.invalid"
        parents = _ids(message.get("In-Reply-To"))
        self.references = _ids(message.get("References"))
        self.parent = parents[0] if parents else (self.references[-1] if self.references else None)
        self.recipients = _addresses(message, "To", "Cc")


class MboxAdapter(ReadOnlyAdapter):
    """Reads the team's mail threads from an mbox file (see the module docstring)."""

    name: ClassVar[str] = "mbox"
    version: ClassVar[str] = __version__
    capabilities: ClassVar[Capabilities] = Capabilities(comments=True, mentions=True)
    OPTIONS: ClassVar[Mapping[str, Option]] = {
        "path": Option(str, required=True, help="the mbox file to read"),
        "team_addresses": Option(list, default=(), help="the team's email addresses"),
    }

    def __init__(self, path: str | os.PathLike[str], *, team_addresses: Sequence[str] = ()):
        self.path = Path(path)
        self.team = frozenset(a.strip().lower() for a in team_addresses)
        super().__init__()
        self._cache_key: tuple[int, int] | None = None
        self._activities: list[Activity] = []

    @classmethod
    def from_config(
        cls,
        config: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        where: str | None = None,
    ) -> MboxAdapter:
        """Build from a ``[[sources]]`` table; the file must exist."""
        options = parse_options(cls.name, config, cls.OPTIONS, where=where)
        check = Checker(place=config_place(cls.name, where))
        team = options["team_addresses"]
        if not all(isinstance(a, str) and "@" in a for a in team):
            raise check.fail("team_addresses", "must be a list of email addresses")
        path = Path(options["path"]).expanduser()
        if not path.is_file():
            raise check.fail("path", f"the mbox file {str(path)!r} does not exist")
        return cls(path, team_addresses=team)

    def __repr__(self) -> str:
        return f"MboxAdapter(path={str(self.path)!r}, team={len(self.team)} addresses)"

    # ------------------------------------------------------------------ reading

    def _read(self) -> list[_Mail]:
        try:
            box = mailbox.mbox(self.path, create=False)
        except (mailbox.NoSuchMailboxError, FileNotFoundError) as exc:
            raise NotFoundError(
                f"the mbox file {str(self.path)!r} no longer exists", adapter=self.name
            ) from exc
        parser = BytesHeaderParser(policy=compat32)
        mails: list[_Mail] = []
        skipped: list[str] = []
        try:
            for position, key in enumerate(box.iterkeys(), start=1):
                with box.get_file(key) as handle:
                    message = parser.parse(handle)  # type: ignore[arg-type]  # a binary file
                when = _utc(message.get("Date"))
                if when is None:
                    reason = f"mail {position}: no readable Date header"
                    skipped.append(reason)
                    log.warning("%s: skipped %s", self.path, reason)
                    continue
                mails.append(_Mail(message, when, position))
        except OSError as exc:
            raise TrackerError(
                f"the mbox file {str(self.path)!r} cannot be read: {exc.strerror or exc}",
                adapter=self.name,
            ) from exc
        finally:
            box.close()
        self._skipped = skipped
        return mails

    def _threads(self, mails: list[_Mail]) -> dict[str, str]:
        """Map each mail's id to the id of its thread's first mail.

        ``References`` names the first mail directly; a reply carrying only
        ``In-Reply-To`` is followed up its chain of parents.  A parent that is
        not in the file (a mail the team sent from elsewhere) stands for the
        thread.
        """
        by_id = {m.id: m for m in mails}
        roots: dict[str, str] = {}
        for mail in mails:
            chain: list[str] = []
            current = mail
            while True:
                if current.id in roots:
                    root = roots[current.id]
                    break
                if current.id in chain:  # a loop of replies: cut it here
                    root = current.id
                    break
                chain.append(current.id)
                up = current.references[0] if current.references else current.parent
                if up is None or up == current.id:
                    root = current.id
                    break
                if up not in by_id:
                    root = up
                    break
                current = by_id[up]
            for mail_id in chain:
                roots[mail_id] = root
        return roots

    def _load(self) -> list[Activity]:
        try:
            info = self.path.stat()
        except FileNotFoundError as exc:
            raise NotFoundError(
                f"the mbox file {str(self.path)!r} no longer exists", adapter=self.name
            ) from exc
        key = (info.st_mtime_ns, info.st_size)
        if key == self._cache_key:
            return self._activities
        mails = self._read()
        self._requests += 1
        roots = self._threads(mails)
        by_id = {m.id: m for m in mails}
        activities: list[Activity] = []
        for mail in mails:
            root_id = roots[mail.id]
            root = by_id.get(root_id)
            title = root.subject if root is not None else _REPLY_PREFIX.sub("", mail.subject)
            if mail.sender in self.team or not self.team:
                addressees = tuple(a for a in mail.recipients if a not in self.team and a != mail.sender)
            else:
                addressees = ()
            item = Item(
                tool=TOOL,
                id=root_id,
                url=f"mid:{quote(root_id, safe='@')}",
                title=title or None,
                kind=ItemKind.MESSAGE,
            )
            activities.append(
                Activity(
                    kind=ActivityKind.COMMENT,
                    actor=mail.sender,
                    item=item,
                    timestamp=mail.when,
                    addressees=addressees,
                    id=mail.id,
                )
            )
        activities.sort(key=lambda a: a.timestamp)
        self._activities = activities
        self._items = len({a.item.id for a in activities})
        self._cache_key = key
        return activities

    def collect(self, since: datetime, until: datetime) -> Iterator[Activity]:
        """Yield one comment per mail with ``since <= Date < until``, oldest first."""
        since, until = utc_window(since, until)
        for activity in in_window(self._load(), since, until):
            self._collected += 1
            yield activity

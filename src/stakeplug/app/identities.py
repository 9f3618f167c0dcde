"""Register identities that look wrong after an audit: a likely typo, or a tool no source reads.

A GitHub identity written ``user-01`` for the account ``user01`` silently
gives a stakeholder no activity at all, while ``user01`` shows up among the
candidates to add.  :func:`identity_warnings` notices that (a registered
identity and an active account outside the register that are nearly the
same, or an account whose display name is the person's name) and says which
account was probably meant.  It also names identities in a tool that no
configured source reads, which can never show any activity.

Similar means: equal once case, spaces, dots, dashes, underscores and a
leading ``@`` are left out, or one letter apart (one letter added, left out,
changed or two swapped; a different digit is a different account, as
``user05`` and ``user09`` are, and so are ``member001`` and ``member010``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Sequence

import attrs

from stakeplug.domain.model import Identity, Stakeholder, TeamMember, fold_name, nfc
from stakeplug.engine.audit import Audit, Candidate

__all__ = ["IdentityWarning", "identity_warnings", "similar_accounts"]

_IGNORED = re.compile(r"[\s._\-@]+")
_MIN_LENGTH = 4
"""Accounts shorter than this are too short to call one letter apart a typo."""


@attrs.frozen
class IdentityWarning:
    """A registered identity that is probably wrong, with the account that was probably meant."""

    person: str
    role: str
    """``stakeholder`` or ``team member``."""
    identity: Identity
    similar: Candidate | None = None
    """The active account outside the register that looks like the one meant."""
    idle: bool = False
    """The person showed no activity at all in the window."""
    sources: tuple[str, ...] = ()
    """For an identity in a tool no source reads: the tools the sources read."""
    seen: tuple[str, ...] | None = None
    """When the sources may read any tool: the tools the activities came from instead."""

    def message(self) -> str:
        """The warning as one line, for the report and the terminal."""
        ident = self.identity
        head = f"{self.role} {self.person}: {ident.tool} identity {ident.account!r}"
        if self.similar is None and self.seen is not None:
            came = ", ".join(self.seen) or "nowhere"
            return (
                f"{head} showed no activity: no source delivered any {ident.tool} activity "
                f"(it came from {came})"
            )
        if self.similar is None:
            read = ", ".join(self.sources) or "nothing"
            return f"{head} cannot show any activity: no source reads {ident.tool} (the sources read {read})"
        c = self.similar
        shown = f"{c.account!r}" + (f" ({c.display_name})" if c.display_name else "")
        idle = " saw no activity in the window, while" if self.idle else ":"
        return (
            f"{head}{idle} the similar account {shown} is active ({c.activities} "
            f"{'activity' if c.activities == 1 else 'activities'}) and not in the register; "
            f"did you mean {c.account!r}?"
        )


def _squashed(account: str) -> str:
    return nfc(_IGNORED.sub("", account).casefold())


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter added, left out, changed, or two neighbours swapped; never a digit."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1 or len(a) < _MIN_LENGTH:
        return False
    start = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    if len(a) < len(b):
        return not b[start].isdigit() and a[start:] == b[start + 1 :]
    if start == len(a):
        return False
    if a[start + 1 :] == b[start + 1 :]:
        return not (a[start].isdigit() or b[start].isdigit())
    swapped = start + 1 < len(a) and a[start] == b[start + 1] and a[start + 1] == b[start]
    # swapped letters only: with a digit among them it is another account (member001, member010)
    return swapped and not (a[start].isdigit() or a[start + 1].isdigit()) and a[start + 2 :] == b[start + 2 :]


def similar_accounts(registered: str, active: str) -> bool:
    """True when ``active`` is probably what was meant by the registered account ``registered``."""
    a, b = _squashed(registered), _squashed(active)
    return a == b or _one_letter_apart(a, b)


def _people(audit: Audit) -> Iterator[tuple[str, Stakeholder | TeamMember, bool]]:
    for person in audit.register.stakeholders:
        score = audit.scores.get(person.name)
        idle = score is not None and not score.signal_counts and not score.evidence
        yield "stakeholder", person, idle
    for member in audit.register.team:
        yield "team member", member, False


def _meant(
    person: Stakeholder | TeamMember, ident: Identity, candidates: Sequence[Candidate]
) -> Candidate | None:
    """The busiest candidate in the identity's tool that the identity or the person's name points at."""
    name = fold_name(person.name)
    for c in candidates:  # busiest first, as the audit sorts them
        if c.tool != ident.tool:
            continue
        if similar_accounts(ident.account, c.account) or fold_name(c.display_name or "") == name:
            return c
    return None


def identity_warnings(
    audit: Audit, source_tools: Collection[str] | None = None
) -> tuple[IdentityWarning, ...]:
    """The registered identities of ``audit`` that are probably wrong.

    ``source_tools`` are the tools the configured sources read, when that is
    known (``None`` when a source may read any tool, as a file does); an
    identity in another tool is reported as one no source can see.  When
    they are not known, an identity in a tool from which no activity came at
    all is reported instead, when every source delivered and something was seen.
    """
    found: list[IdentityWarning] = []
    seen = tuple(sorted(audit.tools_seen))
    judge_seen = source_tools is None and not audit.is_partial and audit.activities_seen > 0
    for role, person, idle in _people(audit):
        for ident in person.identities:
            if source_tools is not None and ident.tool not in source_tools:
                found.append(IdentityWarning(person.name, role, ident, sources=tuple(sorted(source_tools))))
                continue
            if judge_seen and ident.tool not in audit.tools_seen:
                found.append(IdentityWarning(person.name, role, ident, seen=seen))
                continue
            meant = _meant(person, ident, audit.candidates)
            if meant is not None:
                found.append(IdentityWarning(person.name, role, ident, similar=meant, idle=idle))
    return tuple(found)

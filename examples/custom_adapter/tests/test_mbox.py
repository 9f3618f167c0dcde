"""The mbox adapter: the conformance kit, then what it makes of the example mailbox."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stakeplug_mbox import MboxAdapter

import stakeplug
from stakeplug import ActivityKind, ItemKind
from stakeplug.errors import ConfigError, NotFoundError
from stakeplug.testing import AdapterContract, ContractSubject

DATA = Path(__file__).parent / "data" / "team.mbox"
TEAM = ["dana@apollo.example.org", "Lee@Apollo.example.org"]
START = datetime(2026, 3, 1, tzinfo=UTC)
END = datetime(2026, 4, 1, tzinfo=UTC)


def build(path: Path = DATA) -> MboxAdapter:
    return MboxAdapter.from_config({"path": str(path), "team_addresses": TEAM})


class TestMboxContract(AdapterContract):
    """The example adapter passes the same kit as the first-party adapters."""

    @pytest.fixture
    def contract_subject(self, tmp_path: Path) -> ContractSubject:
        gone = tmp_path / "gone.mbox"
        shutil.copy(DATA, gone)

        def make_failing() -> MboxAdapter:
            adapter = build(gone)
            gone.unlink()
            return adapter

        return ContractSubject(
            adapter=build(),
            since=datetime(2026, 3, 3, tzinfo=UTC),
            until=datetime(2026, 3, 10, 8, tzinfo=UTC),
            make_failing=make_failing,
        )


def test_it_is_installed_through_its_entry_point() -> None:
    """stakeplug finds the adapter by name, from the distribution's entry point."""
    assert stakeplug.get_adapter("mbox") is MboxAdapter
    info = next(i for i in stakeplug.list_adapters() if i.name == "mbox")
    assert info.distribution == "stakeplug-mbox"
    assert info.capabilities == ("comments", "mentions")


def test_team_mails_address_the_stakeholders_and_replies_join_the_thread() -> None:
    """The team's mail asks its outside recipients; the reply is a comment on the same thread."""
    activities = list(build().collect(START, END))
    first, reply = activities[0], activities[1]
    assert first.kind is ActivityKind.COMMENT
    assert first.actor == "dana@apollo.example.org"
    assert first.addressees == ("maria@lab.example.com", "sam@uni.example.edu")
    assert first.item.kind is ItemKind.MESSAGE
    assert first.item.tool == "email"
    assert first.item.title == "Export format for the labs?"
    assert reply.actor == "maria@lab.example.com"
    assert reply.item == first.item
    assert reply.addressees == ()
    assert reply.timestamp == datetime(2026, 3, 3, 10, 30, tzinfo=UTC)


def test_a_reply_with_only_in_reply_to_finds_its_thread() -> None:
    """Threading follows In-Reply-To when References are missing; addresses are lower-cased."""
    by_id = {a.id: a for a in build().collect(START, END)}
    sam = by_id["8f2a@uni.example.edu"]
    assert sam.actor == "sam@uni.example.edu"
    assert sam.item.id == "status-10@apollo.example.org"
    assert sam.item.title == "Status report, week 10"
    assert sam.timestamp == datetime(2026, 3, 9, 16, 45, tzinfo=UTC)


def test_a_stakeholder_starting_a_thread_addresses_nobody() -> None:
    """A mail a stakeholder starts is not a request; a -0000 date is read as UTC."""
    by_id = {a.id: a for a in build().collect(START, END)}
    idea = by_id["idea-3@lab.example.com"]
    assert idea.addressees == ()
    assert idea.timestamp == datetime(2026, 3, 10, 7, 15, tzinfo=UTC)
    assert by_id["idea-4@apollo.example.org"].item.id == "idea-3@lab.example.com"


def test_a_mail_without_date_is_skipped_and_counted() -> None:
    """The undated mail is left out and its position named in the stats."""
    adapter = build()
    activities = list(adapter.collect(START, END))
    assert len(activities) == 8
    assert adapter.stats.skipped == 1
    assert adapter.stats.skipped_reasons == ("mail 9: no readable Date header",)
    assert adapter.stats.items == 4


def test_no_body_text_reaches_an_activity() -> None:
    """Only headers are used: no activity carries body text."""
    for a in build().collect(START, END):
        assert a.details == {}
        assert "CSV" not in repr(a)


def test_without_team_addresses_every_recipient_is_addressed() -> None:
    """With no team configured, each mail is addressed to all its other recipients."""
    adapter = MboxAdapter.from_config({"path": str(DATA)})
    first = next(iter(adapter.collect(START, END)))
    assert first.addressees == (
        "maria@lab.example.com",
        "sam@uni.example.edu",
        "lee@apollo.example.org",
    )


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"team_addresses": []}, "missing required key 'path'"),
        ({"path": str(DATA), "team": []}, "unknown key 'team'"),
        ({"path": str(DATA), "team_addresses": "dana@x"}, "team_addresses: must be a list"),
        ({"path": str(DATA), "team_addresses": ["dana"]}, "list of email addresses"),
        ({"path": "/nonexistent/box.mbox"}, "does not exist"),
    ],
)
def test_bad_config_names_the_source_and_key(config: dict[str, object], message: str) -> None:
    """Configuration errors name the source index, the adapter and the key."""
    with pytest.raises(ConfigError) as info:
        MboxAdapter.from_config(config, where="sources[5]")
    assert str(info.value).startswith("sources[5] (mbox): ")
    assert message in str(info.value)


def test_a_vanished_mailbox_is_not_found(tmp_path: Path) -> None:
    """A mailbox deleted after the source was built raises NotFoundError."""
    path = tmp_path / "a.mbox"
    shutil.copy(DATA, path)
    adapter = build(path)
    path.unlink()
    with pytest.raises(NotFoundError):
        list(adapter.collect(START, END))


LOOP = """\
From a@x.org Mon Mar  2 08:00:00 2026
From: a@x.org
To: b@y.org
Subject: One
Date: Mon, 02 Mar 2026 08:00:00 +0000
Message-ID: <one@x.org>
In-Reply-To: <two@y.org>

From b@y.org Mon Mar  2 09:00:00 2026
From: b@y.org
To: a@x.org
Subject: Re: One
Date: Mon, 02 Mar 2026 09:00:00 +0000
Message-ID: <two@y.org>
In-Reply-To: <one@x.org>

From c@z.org Mon Mar  2 10:00:00 2026
From: c@z.org
To: a@x.org
Subject: Re: Something we never saw
Date: Mon, 02 Mar 2026 10:00:00 +0000
In-Reply-To: <elsewhere@x.org>

"""


def test_reply_loops_and_missing_ids_do_not_break_threading(tmp_path: Path) -> None:
    """Mails replying to each other end up in one thread; a mail without id gets a stable one."""
    path = tmp_path / "loop.mbox"
    path.write_text(LOOP, encoding="utf-8")
    first = list(MboxAdapter(path, team_addresses=["a@x.org"]).collect(START, END))
    again = list(MboxAdapter(path, team_addresses=["a@x.org"]).collect(START, END))
    assert first[0].item.id == first[1].item.id
    assert first[2].item.id == "elsewhere@x.org"
    assert first[2].item.title == "Something we never saw"
    assert first[2].id is not None and first[2].id.endswith("@stakeplug-mbox.invalid")
    assert [a.id for a in first] == [a.id for a in again]

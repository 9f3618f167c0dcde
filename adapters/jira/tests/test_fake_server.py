"""The fake Jira: payload shapes grounded in Atlassian's examples, paging, JQL, auth, stats, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from stakeplug_jira._translate import Malformed, issue_activities
from stakeplug_jira.testing import FakeJira, generate_project, parse_jql, seed_example
from stakeplug_jira.testing._jql import JqlError

from stakeplug import ActivityKind

DATA = Path(__file__).parent / "data"
EMAIL = "stakeplug-bot@example.org"
TOKEN = "fake-jira-token-3f9a1c"


def example(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def session(fake: FakeJira) -> requests.Session:
    s = requests.Session()
    if fake.mode == "cloud":
        s.auth = (EMAIL, TOKEN)
    else:
        s.headers["Authorization"] = f"Bearer {TOKEN}"
    return s


def has_shape(actual: Any, expected: Any, path: str = "$", skip: frozenset[str] = frozenset()) -> None:
    """Every key of ``expected`` is in ``actual`` with a value of the same JSON kind, recursively."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: expected an object"
        for key, value in expected.items():
            if key in skip:
                continue
            assert key in actual, f"{path}.{key} is missing"
            has_shape(actual[key], value, f"{path}.{key}", skip)
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected a list"
        if expected and actual:
            has_shape(actual[0], expected[0], f"{path}[0]", skip)
    elif expected is not None and actual is not None:
        kind = (
            (bool,)
            if isinstance(expected, bool)
            else (int, float)
            if isinstance(expected, int | float)
            else (str,)
        )
        assert isinstance(actual, kind), f"{path}: {actual!r} is not like {expected!r}"


@pytest.fixture
def cloud() -> Any:
    with FakeJira(mode="cloud", email=EMAIL, token=TOKEN) as fake:
        seed_example(fake)
        yield fake


def test_server_info_myself_and_fields_look_like_jira_cloud(cloud: FakeJira) -> None:
    """The fake's answers carry every field of Atlassian's examples, and serverInfo says Cloud."""
    s = session(cloud)
    info = s.get(f"{cloud.url}/rest/api/2/serverInfo").json()
    has_shape(
        info,
        example("serverInfo-get-200.json"),
        skip=frozenset({"displayUrl", "displayUrlConfluence", "displayUrlServicedeskHelpCenter"}),
    )
    assert info["deploymentType"] == "Cloud"
    has_shape(
        s.get(f"{cloud.url}/rest/api/3/myself").json(),
        example("myself-get-200.json"),
        skip=frozenset({"avatarUrls", "applicationRoles", "key", "name"}),
    )
    fields = s.get(f"{cloud.url}/rest/api/2/field").json()
    has_shape(fields, example("field-get-200.json"))
    assert {"summary", "comment", "issuelinks", "duedate"} <= {f["id"] for f in fields}


def test_search_comment_and_changelog_pages_look_like_jira_cloud(cloud: FakeJira) -> None:
    """Search, comment and changelog pages have the examples' fields (comments as a page, as Jira sends)."""
    s = session(cloud)
    page = s.get(
        f"{cloud.url}/rest/api/3/search/jql",
        params={"jql": "project = APOLLO", "fields": "*all", "expand": "changelog"},
    ).json()
    ref = example("search-jql-get-200.json")
    ref_issue = ref["issues"][0]
    has_shape(page, {"isLast": True, "issues": []})
    issue = page["issues"][0]
    has_shape(issue, {k: v for k, v in ref_issue.items() if k != "fields"})
    fields_ref = {k: ref_issue["fields"][k] for k in ("project", "issuelinks")}
    fields_ref["project"] = {
        k: v for k, v in fields_ref["project"].items() if k in ("id", "key", "name", "self", "simplified")
    }
    has_shape(issue["fields"], fields_ref)
    assert set(issue["fields"]["comment"]) >= {"comments", "maxResults", "total", "startAt"}
    comment_ref = example("issue-comment-get-200.json")
    comments = s.get(f"{cloud.url}/rest/api/3/issue/APOLLO-1/comment", params={"startAt": 1}).json()
    has_shape(comments, comment_ref, skip=frozenset({"visibility"}))
    assert comments["comments"][0]["body"]["type"] == "doc"
    log = s.get(f"{cloud.url}/rest/api/3/issue/APOLLO-1/changelog", params={"maxResults": 2}).json()
    has_shape(log, example("issue-changelog-get-200.json"), skip=frozenset({"avatarUrls", "emailAddress"}))
    assert (log["total"], log["isLast"]) == (4, False)


def test_the_adapter_reads_atlassians_search_example_once_its_traps_are_corrected() -> None:
    """The example has a bare comment list and no created date; fixed as Jira sends it, it translates."""
    issue = example("search-jql-get-200.json")["issues"][0]
    with pytest.raises(Malformed):
        issue_activities(issue, base_url="https://x.example", category_of=lambda *_: None)
    fixed = json.loads(json.dumps(issue))
    comments = fixed["fields"]["comment"]
    fixed["fields"]["comment"] = {"comments": comments, "maxResults": 1, "total": 1, "startAt": 0}
    fixed["fields"]["created"] = "2021-01-10T08:00:00.000+0000"
    item, acts = issue_activities(fixed, base_url="https://x.example", category_of=lambda *_: None)
    assert item.project == "EX"
    assert [(a.kind, a.actor, a.link_type, a.external) for a in acts] == [
        (ActivityKind.CREATED, None, None, False),
        (ActivityKind.COMMENT, "5b10a2844c20165700ede21g", None, False),
        (ActivityKind.LINKED, None, "is depended by", True),
        (ActivityKind.LINKED, None, "depends on", True),
    ]


def test_create_answers_like_the_examples(cloud: FakeJira) -> None:
    """201 with id, key and self; 400 with errorMessages and errors naming the field."""
    s = session(cloud)
    body = {"fields": {"project": {"key": "APOLLO"}, "issuetype": {"name": "Task"}, "summary": "Hello"}}
    made = s.post(f"{cloud.url}/rest/api/2/issue", json=body)
    assert made.status_code == 201
    has_shape(made.json(), {k: v for k, v in example("issue-post-201.json").items() if k != "transition"})
    bad = s.post(f"{cloud.url}/rest/api/2/issue", json={"fields": {"project": {"key": "APOLLO"}}})
    assert bad.status_code == 400
    has_shape(bad.json(), example("issue-post-400.json"))
    assert set(bad.json()["errors"]) == {"issuetype", "summary"}
    assert cloud.stats()["created_issues"][0]["key"] == made.json()["key"]


def test_cloud_pages_with_tokens_and_server_with_start_at() -> None:
    """Cloud hands out nextPageToken until isLast; Server answers startAt, maxResults and total."""
    for mode in ("cloud", "server"):
        with FakeJira(mode=mode, email=EMAIL, token=TOKEN) as fake:
            generate_project(fake, issues=230, comments=0)
            s = session(fake)
            keys: list[str] = []
            params: dict[str, Any] = {
                "jql": "project = DEMO ORDER BY key ASC",
                "maxResults": 500,
                "fields": "summary",
            }
            if mode == "cloud":
                while True:
                    page = s.get(f"{fake.url}/rest/api/2/search/jql", params=params).json()
                    keys += [i["key"] for i in page["issues"]]
                    if page["isLast"]:
                        break
                    params["nextPageToken"] = page["nextPageToken"]
                gone = s.get(f"{fake.url}/rest/api/2/search", params={"jql": "project = DEMO"})
                assert gone.status_code == 410
            else:
                while True:
                    page = s.get(
                        f"{fake.url}/rest/api/2/search", params={**params, "startAt": len(keys)}
                    ).json()
                    assert page["total"] == 230 and page["maxResults"] == 100
                    keys += [i["key"] for i in page["issues"]]
                    if len(keys) >= page["total"]:
                        break
            assert keys == [f"DEMO-{n}" for n in range(1, 231)]
            assert sum(fake.stats()["by_path"].values()) == 3 + (mode == "cloud")


@pytest.mark.parametrize(
    "jql",
    [
        'project = APOLLO AND updated >= "2026-11-01 00:00" ORDER BY updated ASC',
        '(labels = status-report) AND project = "APOLLO" ORDER BY key DESC',
        "labels = stakeplug",
        "ORDER BY created",
    ],
)
def test_the_supported_jql_parses(jql: str) -> None:
    """The queries stakeplug and simple automation send are understood."""
    parse_jql(jql)


@pytest.mark.parametrize(
    "jql",
    [
        "project = A OR project = B",
        "summary ~ export",
        "project in (A, B)",
        "updated >= yesterday",
        "project =",
    ],
)
def test_unsupported_jql_is_refused_with_jiras_error_shape(cloud: FakeJira, jql: str) -> None:
    """Anything outside the subset is a 400 with errorMessages, never a silently different answer."""
    with pytest.raises(JqlError):
        parse_jql(jql)
    answer = session(cloud).get(f"{cloud.url}/rest/api/2/search/jql", params={"jql": jql})
    assert answer.status_code == 400
    assert answer.json()["errorMessages"] and answer.json()["errors"] == {}


def test_credentials_are_required(cloud: FakeJira) -> None:
    """Without the configured credentials every REST call is a 401; the stats page stays open."""
    assert requests.get(f"{cloud.url}/rest/api/2/myself", timeout=5).status_code == 401
    assert requests.get(f"{cloud.url}/rest/api/2/myself", auth=(EMAIL, "nope"), timeout=5).status_code == 401
    stats = requests.get(f"{cloud.url}/_fake/stats", timeout=5).json()
    assert stats["by_path"] == {"/rest/api/2/myself": 2}


def test_the_jira_package_itself_works_against_the_fake(cloud: FakeJira) -> None:
    """Users can test their own automation on the jira package against the fake."""
    from jira import JIRA

    client = JIRA(server=cloud.url, basic_auth=(EMAIL, TOKEN), max_retries=0)
    try:
        issues = client.search_issues("project = APOLLO ORDER BY key ASC", maxResults=10)
        assert [i.key for i in issues] == ["APOLLO-1", "APOLLO-2"]
        created = client.create_issue(
            project="APOLLO", summary="From the jira package", issuetype={"name": "Bug"}
        )
        assert created.key == "APOLLO-3"
        assert client.comments("APOLLO-1")[0].author.displayName == "Dana Whitfield"
    finally:
        client.close()


def test_the_command_line_prints_its_url_and_serves_stats() -> None:
    """python -m stakeplug_jira.testing seeds a project, prints the URL and answers /_fake/stats."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stakeplug_jira.testing", "--port", "0", "--issues", "40"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        answer = requests.get(
            f"{url}/rest/api/2/search/jql",
            params={"jql": "project = DEMO", "maxResults": 100, "fields": "summary"},
            auth=(EMAIL, "fake-jira-token"),
            timeout=5,
        ).json()
        assert len(answer["issues"]) == 40
        stats = requests.get(f"{url}/_fake/stats", timeout=5).json()
        assert stats["by_path"] == {"/rest/api/2/search/jql": 1}
        assert stats["created_issues"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_post_search_and_adding_comments_work_for_automation(cloud: FakeJira) -> None:
    """The POST form of the search and POST /comment answer like Jira, so other scripts can be tested too."""
    s = session(cloud)
    page = s.post(
        f"{cloud.url}/rest/api/3/search/jql",
        json={"jql": "project = APOLLO ORDER BY key DESC", "fields": ["summary"], "maxResults": 1},
    ).json()
    assert [i["key"] for i in page["issues"]] == ["APOLLO-2"] and page["isLast"] is False
    added = s.post(
        f"{cloud.url}/rest/api/3/issue/APOLLO-2/comment",
        json={
            "body": {
                "type": "doc",
                "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Thanks!"}]}],
            }
        },
    )
    assert added.status_code == 201
    has_shape(added.json(), example("issue-comment-post-201.json"), skip=frozenset({"visibility"}))
    assert cloud.issues["APOLLO-2"].comments[-1].body == "Thanks!"
    empty = s.post(f"{cloud.url}/rest/api/2/issue/APOLLO-2/comment", json={"body": " "})
    assert empty.status_code == 400


def test_the_fake_turns_nagles_algorithm_off_and_resets_over_http(cloud: FakeJira) -> None:
    """Connections get TCP_NODELAY, and POST /_fake/reset forgets counted requests and queued faults."""
    assert cloud.make_handler().disable_nagle_algorithm is True
    requests.get(f"{cloud.url}/rest/api/2/serverInfo", timeout=5)
    cloud.fail(503, times=3)
    after = requests.post(f"{cloud.url}/_fake/reset", timeout=5).json()
    assert (after["requests"], after["by_path"]) == (0, {})
    assert requests.get(f"{cloud.url}/rest/api/2/serverInfo", timeout=5).status_code != 503

"""The Jira adapter's read paths: which deployment a site is, the issue search, and overflow pages.

**Cloud or Server?**  ``serverInfo`` is asked once: ``deploymentType: Cloud``
means the enhanced search ``/rest/api/{2,3}/search/jql`` paged by
``nextPageToken``; otherwise the legacy ``/rest/api/2/search`` paged by
``startAt``/``total``.  A ``410 Gone`` on the legacy search switches to the
Cloud path.  ``serverInfo`` goes out alone before anything else, so wrong
credentials are refused once, not once per request sent together (a site that
counts failed logins, and Server's login CAPTCHA, would count each of them).

**Paging that contradicts itself** never ends a search quietly.  A Cloud
page saying ``isLast: false`` without a new ``nextPageToken`` (or with one it
gave before), or a legacy search that runs dry before its ``total``, raises
:class:`~stakeplug.errors.PayloadError` saying so once the issues that came
are yielded: a collection keeps them and is reported partial, and the task
listing never mistakes a cut list for the whole.  Comment and changelog pages
of one issue that stop before the total they announced are told to ``gap``
(the source is then partial with that reason) and the issue is read with what came.

**Where a failure happened.**  Every page after the first is described as
``GET …/search/jql (page 3, after 200 issues)``, so an error on it says how far
the search had come.

**Overflow.**  An issue whose inline comment page or changelog was cut short
costs extra requests for the rest of it only: ``/comment`` pages on both
deployments, ``/changelog`` pages on Cloud, and on Server the issue read again
with its whole changelog.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from jira import JIRA

from stakeplug.errors import PayloadError
from stakeplug.http import get_logger
from stakeplug_jira._errors import Gone, JiraCalls
from stakeplug_jira._translate import Malformed

__all__ = ["PAGE_SIZE", "JiraSearch"]

log = get_logger("stakeplug.jira")

PAGE_SIZE = 100
"""Issues per search page, and comments or changelog entries per extra page."""


class JiraSearch:
    """Pages through one Jira site's search and an issue's overflow pages, over one retry owner.

    ``gap`` is told, in words, when an issue's comment or changelog pages stop short.
    """

    def __init__(
        self, jira: JIRA, call: JiraCalls, *, url: str, api_version: int, gap: Callable[[str], None]
    ):
        self._jira = jira
        self._call = call
        self.url = url
        self.api_version = api_version
        self._gap = gap
        self.server_info: dict[str, Any] | None = None
        self.cloud: bool | None = None

    # ------------------------------------------------------------------ deployment

    def is_cloud(self) -> bool:
        """Ask ``serverInfo`` once; True for Jira Cloud."""
        if self.cloud is None:
            info = self._call(
                self._jira.server_info,
                f"GET {self.url}/rest/api/{self.api_version}/serverInfo",
                site=True,
            )
            if not isinstance(info, dict):
                info = {}
            self.server_info = info
            self._set_cloud(info.get("deploymentType") == "Cloud")
            numbers = info.get("versionNumbers")
            if isinstance(numbers, list) and all(isinstance(n, int) for n in numbers):
                self._jira._version = tuple(numbers)
        return bool(self.cloud)

    def _set_cloud(self, cloud: bool) -> None:
        self.cloud = cloud
        self._jira.deploymentType = "Cloud" if cloud else "Server"

    # ------------------------------------------------------------------ search

    def issues(
        self, jql: str, fields: Sequence[str], expand: str | None, *, reconcile: Sequence[int] = ()
    ) -> Iterator[dict[str, Any]]:
        """Yield the raw issues of ``jql``, page after page; Cloud's search reconciles the ids given.

        An issue that is not an object comes as ``{"_malformed": True}``, for
        the caller to skip and count.
        """
        if not self.is_cloud():
            try:
                yield from self._legacy(jql, fields, expand)
                return
            except Gone:
                log.info("jira: the legacy search is gone (HTTP 410) at %s; using the Cloud search", self.url)
                self._set_cloud(True)
        yield from self._enhanced(jql, fields, expand, reconcile)

    def _enhanced(
        self, jql: str, fields: Sequence[str], expand: str | None, reconcile: Sequence[int]
    ) -> Iterator[dict[str, Any]]:
        token: str | None = None
        what = f"GET {self.url}/rest/api/{self.api_version}/search/jql"
        seen: set[str] = set()
        pages = issues = 0
        while True:
            here = _where(what, pages, issues)
            page = self._call(
                functools.partial(
                    self._jira.enhanced_search_issues,
                    jql,
                    nextPageToken=token,
                    maxResults=PAGE_SIZE,
                    fields=list(fields),
                    expand=expand,
                    reconcileIssues=list(reconcile) or None,
                    json_result=True,
                ),
                here,
            )
            found = _issues(page, here)
            pages, issues = pages + 1, issues + len(found)
            yield from found
            next_token = page.get("nextPageToken")
            if page.get("isLast") is True:
                return
            if not next_token or next_token in seen:
                if page.get("isLast") is False or next_token:
                    raise _stopped(
                        f"{here}: the search said more pages follow (isLast: false) but "
                        + ("repeated an earlier nextPageToken" if next_token else "gave no nextPageToken")
                        + "; the issues after this page are missing"
                    )
                return
            seen.add(next_token)
            token = str(next_token)

    def _legacy(self, jql: str, fields: Sequence[str], expand: str | None) -> Iterator[dict[str, Any]]:
        start = pages = 0
        what = f"GET {self.url}/rest/api/{self.api_version}/search"
        while True:
            here = _where(what, pages, start)
            page: Any = self._call(
                functools.partial(
                    self._jira.search_issues,
                    jql,
                    startAt=start,
                    maxResults=PAGE_SIZE,
                    fields=list(fields),
                    expand=expand,
                    json_result=True,
                ),
                here,
            )
            found = _issues(page, here)
            pages += 1
            yield from found
            start += len(found)
            total = page.get("total")
            if not found and isinstance(total, int) and start < total:
                raise _stopped(f"{here}: the search stopped at {start} of the {total} issues it announced")
            if not found or not isinstance(total, int) or start >= total:
                return

    # ------------------------------------------------------------------ overflow pages

    def comments(self, key: str, total: int, inline: Sequence[Any]) -> list[Any]:
        """All ``total`` comments of issue ``key``, the inline ones included, each once."""
        what = f"GET {self.url}/rest/api/{self.api_version}/issue/{key}/comment"
        out: dict[str, Any] = {str(c.get("id")): c for c in inline if isinstance(c, Mapping) and "id" in c}
        start = 0
        while start < total:
            page = self._call(
                functools.partial(self._jira.comments, key, start_at=start, max_results=PAGE_SIZE), what
            )
            if not page:
                self._gap(f"{key}: the comment pages stopped at {start} of the {total} comments announced")
                break
            for c in page:
                raw = c.raw if isinstance(c.raw, dict) else {}
                out[str(raw.get("id", len(out)))] = raw
            start += len(page)
        return list(out.values())

    def histories(self, key: str, total: int) -> list[Any]:
        """All ``total`` changelog entries of ``key``: Cloud pages them, Server reads the issue again."""
        if not self.cloud:
            what = f"GET {self.url}/rest/api/{self.api_version}/issue/{key}?expand=changelog"
            issue = self._call(lambda: self._jira.issue(key, fields="created", expand="changelog"), what)
            raw = issue.raw if isinstance(issue.raw, dict) else {}
            log_page = raw.get("changelog")
            if isinstance(log_page, dict) and isinstance(log_page.get("histories"), list):
                return list(log_page["histories"])
            raise Malformed(f"{key}: the full changelog has no histories")
        what = f"GET {self.url}/rest/api/{self.api_version}/issue/{key}/changelog"
        out: list[Any] = []
        start = 0
        while start < total:
            page = self._call(
                functools.partial(
                    self._jira._get_json,
                    f"issue/{key}/changelog",
                    params={"startAt": start, "maxResults": PAGE_SIZE},
                ),
                what,
            )
            values = page.get("values") if isinstance(page, dict) else None
            if not isinstance(values, list):
                raise Malformed(f"{key}: the changelog page has no values")
            if not values:
                self._gap(f"{key}: the changelog pages stopped at {start} of the {total} entries announced")
                break
            out.extend(values)
            start += len(values)
            if page.get("isLast") is True:
                break
        return out


def _where(what: str, pages: int, issues: int) -> str:
    """``what`` for the first page; for a later one, also how far the search had come."""
    if not pages:
        return what
    return f"{what} (page {pages + 1}, after {issues} issue{'' if issues == 1 else 's'})"


def _stopped(reason: str) -> PayloadError:
    """The error that ends a search whose paging contradicts itself, after the issues it gave."""
    return PayloadError(reason, adapter="jira")


def _issues(page: Any, what: str) -> list[dict[str, Any]]:
    """The issues of a search page, each not an object replaced by ``{"_malformed": True}``."""
    if not isinstance(page, dict) or not isinstance(page.get("issues"), list):
        raise PayloadError(f"{what}: the search answer has no issues list", adapter="jira")
    return [i if isinstance(i, dict) else {"_malformed": True} for i in page["issues"]]

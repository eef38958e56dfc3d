"""url_reachable: the URLs a file links to answer a HEAD request.

At most `sample_size` distinct URLs, in order of first appearance (so a re-run checks
the same ones), requested in parallel with redirects followed. Only http and https."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from runner import __version__
from runner.checks.base import CheckContext, Outcome
from runner.checks.common import missing, read_repointed
from runner.checks.regex import pattern_of

if TYPE_CHECKING:  # the spec types
    from runner.checks.specs import UrlReachable

USER_AGENT = f"runner/{__version__} (contract check url_reachable)"
MAX_WORKERS = 8


class _KeepHead(urllib.request.HTTPRedirectHandler):
    """urllib turns a redirected HEAD into a GET; keep it a HEAD."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.method = req.get_method()
        return new


def head(url: str, timeout: float) -> str | None:
    """None when the URL answers 2xx (after redirects), otherwise why it failed."""
    if not url.lower().startswith(("http://", "https://")):
        return "not an http(s) URL"
    opener = urllib.request.build_opener(_KeepHead)
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": USER_AGENT})
    try:
        with opener.open(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return str(exc) or type(exc).__name__
    return None if 200 <= status < 300 else f"HTTP {status}"


def _distinct(matches: list[str]) -> list[str]:
    return list(dict.fromkeys(matches))


def check_url_reachable(spec: UrlReachable, ctx: CheckContext) -> Outcome:
    if ctx.offline:
        return Outcome("SKIPPED", "network checks are off (--offline)", target=ctx.path(spec.target)[0])
    rel, _, text, repointed = read_repointed(ctx, spec.target)
    if text is None:
        return missing(rel)
    regex = pattern_of(ctx, spec.url_pattern)
    urls = _distinct([m.group(0) for m in regex.finditer(text)])
    sample = urls[: spec.sample_size]
    if not sample:
        return Outcome("PASS", f"no URLs matching /{spec.url_pattern}/ in {rel}", rel, {**repointed, "checked": 0})
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(sample))) as pool:
        results = list(pool.map(lambda u: head(u, spec.timeout_s), sample))
    failures = {url: why for url, why in zip(sample, results) if why is not None}
    details = {**repointed, "checked": len(sample), "found": len(urls), "failures": failures}
    if len(failures) > spec.max_failures:
        listed = "; ".join(f"{url} ({why})" for url, why in list(failures.items())[:5])
        message = f"{len(failures)} of {len(sample)} URLs in {rel} failed (max {spec.max_failures}): {listed}"
        return Outcome("FAIL", message, rel, details)
    answered = len(sample) - len(failures)
    return Outcome("PASS", f"{answered} of {len(sample)} URLs in {rel} answered", rel, details)

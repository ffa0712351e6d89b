"""Page weight on a slow connection: every page (signed out, as a member and as staff;
the crawl is shared with the accessibility test, see tests/e2e/site_crawl.py) measured
in Chromium on the site as deployed (`isoc serve`: whitenoise, hashed and compressed
static files, GZip for HTML).

Budget, in bytes on the wire (compressed bodies plus headers, as Chromium's network
layer counts them; everything the page loads, not only HTML, CSS and JS):

- first load, empty cache: under 150 KB;
- next load, another page after one was seen: under 30 KB, so caching must work.

Also checked: every static file has a content-hashed name and a far-future, immutable
Cache-Control; every text response above 1 KB travels compressed. A page over budget
fails the test, named with its sizes by kind.
"""

from __future__ import annotations

import pytest
from site_crawl import CRAWL_ROLES, CRAWL_TIMEOUT, KB, crawl

pytestmark = [pytest.mark.e2e, pytest.mark.served_site, pytest.mark.xdist_group("served_site")]

FIRST_LOAD_BUDGET = 150 * KB
NEXT_LOAD_BUDGET = 30 * KB


@pytest.mark.timeout(CRAWL_TIMEOUT)
@pytest.mark.parametrize("role", CRAWL_ROLES)
def test_every_page_is_light(role, browser, served_site):
    found = crawl(role, browser, served_site)
    paths, firsts, nexts = found.paths, found.firsts, found.nexts

    over = [f"first load of {load} > {FIRST_LOAD_BUDGET / KB:.0f} KB" for load in firsts if load.total > FIRST_LOAD_BUDGET]
    over += [f"next load of {load} > {NEXT_LOAD_BUDGET / KB:.0f} KB" for load in nexts.values() if load.total > NEXT_LOAD_BUDGET]
    problems = sorted({p for load in [*firsts, *nexts.values()] for p in load.problems})
    heaviest = max(firsts, key=lambda load: load.total)
    heaviest_next = max(nexts.values(), key=lambda load: load.total)
    print(f"\n[{role}] {len(paths)} pages; heaviest first load {heaviest}; heaviest next load {heaviest_next}")
    assert not over and not problems, f"[{role}] pages over budget or badly served:\n" + "\n".join(over + problems)

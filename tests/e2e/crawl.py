"""Every page of the site, found from the URL conf, for the accessibility and page-weight
crawls.

``routes()`` walks ``django.urls.get_resolver()`` through every ``include`` and lists
each URL pattern as the string of its route (``members/invoices/<str:number>/``).
``RULES`` says, for each of them, how to make concrete URLs of it from the demo data of
the served site (``served_site.prepare`` writes the facts used here) for each role, or
why it is not a page (POST-only, JSON, a redirect). A route no rule covers fails the
crawl with its name, so a page added later is checked as soon as it exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROLES = ("visitor", "member", "staff")
REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

Filler = Callable[[dict, str], list[str]]


@dataclass(frozen=True)
class Rule:
    route: str  # a regular expression matched against the whole route string
    fill: Filler | None = None  # facts, role -> paths to visit (none: not for this role)
    not_a_page: str = ""  # why this route is not visited at all

    def matches(self, route: str) -> bool:
        return re.fullmatch(self.route, route) is not None


def everyone(*paths: str) -> Filler:
    """Pages anyone can open (sign-in-only ones send a visitor to the sign-in page,
    which the crawl notices and checks once)."""
    return lambda facts, role: list(paths)


def staff_only(*paths: str) -> Filler:
    return lambda facts, role: list(paths) if role == "staff" else []


def staff_only_from(section: str, paths: Callable[[dict], list[str]]) -> Filler:
    """Staff pages whose addresses come from the facts of one section."""
    return lambda facts, role: paths(facts[section]) if role == "staff" else []


def _admin_model_page(facts: dict, role: str, route: str) -> list[str]:
    match = re.fullmatch(r"admin/(\w+)/(\w+)/(?:(add)/|<path:object_id>/(\w+)/|<id>/(password)/)?", route)
    assert match, route
    app, model, add, view, password = match.groups()
    if role != "staff":
        return []
    base = f"/admin/{app}/{model}/"
    # Add, history and delete pages come from templates every model shares: opened for a
    # sample of models (served_site._admin_sampled_pages says which and why).
    sampled = facts["admin_sampled"].get(f"{app}.{model}", ["add", "history", "delete"])
    if add:
        return [base + "add/"] if "add" in sampled else []
    if view in ("history", "delete") and view not in sampled:
        return []
    if view or password:
        # A model the demo data leaves empty has no object pages to open (its list and add
        # pages are still checked): served_site.prepare makes rows where it can.
        pk = facts["admin_objects"].get(f"{app}.{model}")
        return [f"{base}{pk}/{view or password}/"] if pk else []
    return [base]


# First match wins. Each entry is one route string as `routes()` prints it.
RULES: list[Rule] = [
    # Site
    Rule(r"", everyone("/")),
    Rule(r"healthz", not_a_page="JSON health check for load balancers"),
    Rule(r"readyz", not_a_page="JSON readiness check (database, migrations, data folder, broker)"),
    Rule(r"metrics", not_a_page="Prometheus text format, for a scraper"),
    Rule(r"preferences/", everyone("/preferences/?next=/members/directory/")),
    Rule(r"i18n/setlang/", not_a_page="POST-only: Django's set_language (a GET only redirects)"),
    Rule(r"_bench/bare", not_a_page="plain-text benchmark anchor, only with ISOC_BENCH=1"),
    # Accounts (django-allauth)
    Rule(r"accounts/login/", everyone("/accounts/login/")),
    Rule(r"accounts/logout/", everyone("/accounts/logout/")),  # GET: "are you sure?" form
    Rule(r"accounts/inactive/", everyone("/accounts/inactive/")),
    Rule(r"accounts/signup/", everyone("/accounts/signup/")),
    Rule(r"accounts/reauthenticate/", everyone("/accounts/reauthenticate/")),
    # django-allauth 65.22 (allowed by pyproject) adds re-authentication by emailed code.
    Rule(r"accounts/reauthenticate/code/", everyone("/accounts/reauthenticate/code/")),
    Rule(r"accounts/reauthenticate/code/confirm/", everyone("/accounts/reauthenticate/code/confirm/")),
    Rule(r"accounts/email/", everyone("/accounts/email/")),
    Rule(r"accounts/confirm-email/", everyone("/accounts/confirm-email/")),
    Rule(r"accounts/\^confirm-email/.*", lambda f, role: [f"/accounts/confirm-email/{f['confirm_email_key']}/",
                                                          "/accounts/confirm-email/not-a-key/"]),
    Rule(r"accounts/password/change/", everyone("/accounts/password/change/")),
    Rule(r"accounts/password/set/", everyone("/accounts/password/set/")),
    Rule(r"accounts/password/reset/", everyone("/accounts/password/reset/")),
    Rule(r"accounts/password/reset/done/", everyone("/accounts/password/reset/done/")),
    Rule(r"accounts/password/reset/key/done/", everyone("/accounts/password/reset/key/done/")),
    Rule(r"accounts/\^password/reset/key/.*",
         lambda f, role: [f"/accounts/password/reset/key/{f['reset']['uidb36']}-{f['reset']['key']}/",
                          "/accounts/password/reset/key/1-not-a-key/"] if role == "visitor" else []),
    Rule(r"accounts/login/code/confirm/", everyone("/accounts/login/code/confirm/")),
    # Two-factor authentication (allauth.mfa): staff must have it, members may.
    Rule(r"accounts/2fa/", everyone("/accounts/2fa/")),
    Rule(r"accounts/2fa/authenticate/", not_a_page="the second step of a sign-in in progress; the crawl's staff sign-in passes it"),
    Rule(r"accounts/2fa/reauthenticate/", lambda f, role: ["/accounts/2fa/reauthenticate/"] if role == "staff" else []),
    Rule(r"accounts/2fa/totp/activate/", lambda f, role: ["/accounts/2fa/totp/activate/"] if role == "member" else []),
    Rule(r"accounts/2fa/totp/deactivate/", staff_only("/accounts/2fa/totp/deactivate/")),
    Rule(r"accounts/2fa/recovery-codes/", staff_only("/accounts/2fa/recovery-codes/")),
    Rule(r"accounts/2fa/recovery-codes/generate/", staff_only("/accounts/2fa/recovery-codes/generate/")),
    Rule(r"accounts/2fa/recovery-codes/download/", not_a_page="a text file of recovery codes"),
    # Members
    Rule(r"members/", everyone("/members/")),
    Rule(r"members/join/", everyone("/members/join/")),
    Rule(r"members/membership/<slug:action>/", not_a_page="POST-only: renew, upgrade, downgrade, cancel"),
    Rule(r"members/profile/", everyone("/members/profile/")),
    Rule(r"members/profile/tokens/new/", not_a_page="POST-only: creates a token (its result page is "
                                                    "checked by the keyboard and no-JS tests' flows)"),
    Rule(r"members/profile/tokens/<int:pk>/revoke/", not_a_page="POST-only"),
    Rule(r"members/profile/export/", not_a_page="a JSON download of the member's data"),
    Rule(r"members/profile/erase/", everyone("/members/profile/erase/")),
    Rule(r"members/directory/", everyone("/members/directory/", "/members/directory/?q=a&country=&category=&page=2")),
    Rule(r"members/invoices/<str:number>/",
         lambda f, role: [f"/members/invoices/{f['member']['invoice'] if role != 'staff' else f['open_invoice']['number']}/"]),
    Rule(r"members/organizations/", everyone("/members/organizations/")),
    Rule(r"members/organizations/join/", everyone("/members/organizations/join/")),
    Rule(r"members/organizations/<slug:slug>/", lambda f, role: {
        "visitor": [f"/members/organizations/{f['public_organization']}/", "/members/organizations/no-such-organization/"],
        "member": [f"/members/organizations/{f['member']['organization']}/"],
        "staff": [f"/members/organizations/{f['other_organization']}/"],
    }[role]),
    Rule(r"members/organizations/<slug:slug>/<slug:action>/", not_a_page="POST-only: edit, add contact, renew"),
    # Events
    Rule(r"events/", everyone("/events/", "/events/?when=past&scope=&mode=")),
    Rule(r"events/<slug:slug>/", lambda f, role: [f"/events/{f['events']['full']}/", f"/events/{f['events']['paid']}/",
                                                   f"/events/{f['events']['chapter']}/",
                                                   f"/events/{f['events']['funded']}/",
                                                   f"/events/{f['events']['cancelled']}/"]
         + (["/events/no-such-event/"] if role == "visitor" else [])),
    Rule(r"events/<slug:slug>/(register|cancel)/", not_a_page="POST-only: register, cancel"),
    Rule(r"events/<slug:slug>/calendar\.ics", not_a_page="iCalendar download"),
    Rule(r"events/<slug:slug>/attendees\.csv", not_a_page="CSV download (organizers and staff)"),
    # Staff: a chapter event (its chapter's standing shown) and one with a grant.
    Rule(r"events/<slug:slug>/funding/", lambda f, role: [f"/events/{f['events']['chapter']}/funding/",
                                                          f"/events/{f['events']['funded']}/funding/"]
         if role == "staff" else []),
    # Staff: the confirmation form of a live event, and a cancelled one with its refunds.
    Rule(r"events/<slug:slug>/cancellation/", lambda f, role: [f"/events/{f['events']['full']}/cancellation/",
                                                               f"/events/{f['events']['cancelled']}/cancellation/"]
         if role == "staff" else []),
    Rule(r"events/<slug:slug>/refunds/<int:pk>/", not_a_page="POST-only: record a refund paid back"),
    # Chapters
    Rule(r"chapters/", everyone("/chapters/")),
    Rule(r"chapters/<slug:slug>/", lambda f, role: [f"/chapters/{f['chapters']['public']}/",
                                                    f"/chapters/{f['chapters']['group']}/",
                                                    f"/chapters/{f['chapters']['officer']}/"]),
    Rule(r"chapters/<slug:slug>/(join|leave)/", not_a_page="POST-only: join or leave a chapter"),
    Rule(r"chapters/<slug:slug>/members\.csv", not_a_page="CSV download of a chapter's members"),
    Rule(r"chapters/<slug:slug>/officers/appoint/", not_a_page="POST-only: appoint an officer (the dashboard with "
                                                              "its errors is checked by test_e2e_chapters)"),
    Rule(r"chapters/<slug:slug>/officers/<int:term>/end/", not_a_page="POST-only: end an officer's term"),
    Rule(r"chapters/<slug:slug>/dashboard/", lambda f, role: {
        "visitor": [], "member": [f"/chapters/{f['chapters']['officer']}/dashboard/"],
        "staff": [f"/chapters/{f['chapters']['public']}/dashboard/"]}[role]),
    Rule(r"chapters/<slug:slug>/reports/new/", lambda f, role: {
        "visitor": [], "member": [f"/chapters/{f['chapters']['officer']}/reports/new/"],
        "staff": [f"/chapters/{f['chapters']['public']}/reports/new/"]}[role]),
    # Pulse. Until Pulse has demo data, a detail page with no row to show is visited at an
    # address that does not exist (its "not found" page); served_site.prepare names rows
    # as soon as there are any.
    Rule(r"pulse/", everyone("/pulse/")),
    Rule(r"pulse/countries/<str:code>/", lambda f, role: [f"/pulse/countries/{f['pulse']['country'] or 'zz'}/"]),
    Rule(r"pulse/datasets/<slug:slug>/", lambda f, role: [f"/pulse/datasets/{f['pulse']['dataset'] or 'no-such-dataset'}/"]),
    Rule(r"pulse/stories/", everyone("/pulse/stories/")),
    Rule(r"pulse/stories/feed/", not_a_page="Atom feed (XML), not an HTML page"),
    Rule(r"pulse/stories/", everyone("/pulse/stories/")),
    Rule(r"pulse/stories/feed/", not_a_page="an Atom/RSS feed"),
    Rule(r"pulse/stories/<slug:slug>/", lambda f, role: [f"/pulse/stories/{f['pulse']['story'] or 'no-such-story'}/"]),
    Rule(r"pulse/shutdowns/", everyone("/pulse/shutdowns/")),
    Rule(r"pulse/shutdowns/methodology/", everyone("/pulse/shutdowns/methodology/")),
    Rule(r"pulse/shutdowns/events/<int:pk>/", lambda f, role: [f"/pulse/shutdowns/events/{f['pulse'].get('shutdown') or 0}/"]),
    Rule(r"pulse/shutdowns/events/<int:pk>/\w+\.csv", not_a_page="CSV download"),
    Rule(r"pulse/routing/", everyone("/pulse/routing/")),
    Rule(r"pulse/routing/networks/<int:asn>/", lambda f, role: [f"/pulse/routing/networks/{f['routing']['asn']}/"]),
    Rule(r"pulse/routing/countries/<str:code>/", lambda f, role: [f"/pulse/routing/countries/{f['routing']['country']}/"]),
    Rule(r"pulse/routing/prefix/", lambda f, role: ["/pulse/routing/prefix/", f"/pulse/routing/prefix/?q={f['routing']['prefix']}"]),
    Rule(r"pulse/routing/incidents/", everyone("/pulse/routing/incidents/")),
    Rule(r"pulse/routing/incidents/<int:pk>/", lambda f, role: [f"/pulse/routing/incidents/{f['routing']['incident']}/"]),
    Rule(r"pulse/routing/participants/", everyone("/pulse/routing/participants/")),
    Rule(r"pulse/routing/participants/<slug:slug>/", lambda f, role: [f"/pulse/routing/participants/{f['routing']['participant']}/"]),
    Rule(r"pulse/routing/methodology/", everyone("/pulse/routing/methodology/")),
    Rule(r"pulse/enablers/", everyone("/pulse/enablers/")),
    Rule(r"pulse/enablers/domain/", lambda f, role: ["/pulse/enablers/domain/", f"/pulse/enablers/domain/?domain={f['enablers']['domain']}"]),
    Rule(r"pulse/enablers/methodology/", everyone("/pulse/enablers/methodology/")),
    Rule(r"pulse/incidents/", everyone("/pulse/incidents/")),
    Rule(r"pulse/incidents/report/<int:year>/", lambda f, role: [f"/pulse/incidents/report/{f['incidents']['year']}/"]),
    Rule(r"pulse/incidents/report/<int:year>/pdf/", not_a_page="a PDF download (tests/e2e/test_e2e_incidents.py renders it)"),
    Rule(r"pulse/incidents/methodology/", everyone("/pulse/incidents/methodology/")),
    Rule(r"pulse/incidents/<int:pk>/", lambda f, role: [f"/pulse/incidents/{f['incidents']['incident']}/"]),
    Rule(r"elections/", everyone("/elections/")),
    Rule(r"elections/<slug:slug>/", lambda f, role: [f"/elections/{f['elections'][stage]}/" for stage in
                                                     ("certified", "voting", "petitions", "nominations")]),
    Rule(r"elections/<slug:slug>/ballot/", lambda f, role: [f"/elections/{f['elections']['voting']}/ballot/"]),
    Rule(r"elections/<slug:slug>/results/", lambda f, role: [f"/elections/{f['elections']['certified']}/results/",
                                                             f"/elections/{f['elections']['voting']}/results/"]),
    Rule(r"elections/<slug:slug>/ballots.json", not_a_page="JSON download of the published ballots"),
    Rule(r"elections/<slug:slug>/certify/", not_a_page="POST-only: a staff member approves the count"),
    # Signed in only (a visitor is sent to sign in); each also at a stage where it is closed.
    Rule(r"elections/<slug:slug>/stand/", lambda f, role: [f"/elections/{f['elections']['nominations']}/stand/",
                                                           f"/elections/{f['elections']['voting']}/stand/"]),
    Rule(r"elections/<slug:slug>/petitions/", lambda f, role: [f"/elections/{f['elections']['petitions']}/petitions/",
                                                               f"/elections/{f['elections']['voting']}/petitions/"]),
    Rule(r"elections/<slug:slug>/candidates/<int:pk>/ask/",
         lambda f, role: [f"/elections/{f['elections']['voting']}/candidates/{f['elections']['candidate']}/ask/"]),
    # The member is the candidate asked; staff see the refusal page (403) anyone else gets.
    Rule(r"elections/<slug:slug>/questions/<int:pk>/answer/",
         lambda f, role: [f"/elections/{f['elections']['voting']}/questions/{f['elections']['question']}/answer/"]),
    Rule(r"elections/<slug:slug>/challenge/", lambda f, role: [f"/elections/{f['elections']['certified']}/challenge/",
                                                               f"/elections/{f['elections']['voting']}/challenge/"]),
    Rule(r"pulse/shutdowns/countries/<str:code>/",
         lambda f, role: [f"/pulse/shutdowns/countries/{f['pulse']['country'] or 'zz'}/"]),
    # Online Trust Audit
    Rule(r"trust/", everyone("/trust/")),
    Rule(r"trust/<int:year>/", lambda f, role: [f"/trust/{f['trust']['year']}/", f"/trust/{f['trust']['first_year']}/"]),
    Rule(r"trust/organizations/<slug:slug>/", lambda f, role: [f"/trust/organizations/{f['trust']['organization']}/"]),
    Rule(r"trust/organizations/<slug:slug>/<int:year>/",
         lambda f, role: [f"/trust/organizations/{f['trust']['organization']}/{f['trust']['first_year']}/"]),
    Rule(r"trust/methodology/", everyone("/trust/methodology/", "/trust/methodology/?year=2000")),
    # Fellowships. The member has an application in the open demo call and an onboarded
    # one in last year's (travel form, alumni), reviews one application, and chairs a
    # chapter (so the endorsement form shows; its chapter may not endorse: refused on POST).
    Rule(r"fellowships/", everyone("/fellowships/")),
    Rule(r"fellowships/methodology/", everyone("/fellowships/methodology/")),
    Rule(r"fellowships/alumni/", everyone("/fellowships/alumni/", "/fellowships/alumni/?programme=igf-ambassadors&year=&country=")),
    Rule(r"fellowships/programmes/<slug:slug>/", everyone("/fellowships/programmes/next-generation-leaders/",
                                                          "/fellowships/programmes/igf-ambassadors/")),
    Rule(r"fellowships/calls/<slug:slug>/", lambda f, role: [f"/fellowships/calls/{f['fellowships']['open']}/",
                                                             f"/fellowships/calls/{f['fellowships']['decided']}/"]),
    Rule(r"fellowships/calls/<slug:slug>/apply/",
         lambda f, role: [f"/fellowships/calls/{f['fellowships']['open']}/apply/"] if role != "member" else
         [f"/fellowships/calls/{f['fellowships']['draft_call']}/apply/"]),
    Rule(r"fellowships/calls/<slug:slug>/manage/", lambda f, role: [
        f"/fellowships/calls/{f['fellowships']['open']}/manage/",
        f"/fellowships/calls/{f['fellowships']['decided']}/manage/"] if role == "staff" else []),
    Rule(r"fellowships/calls/<slug:slug>/manage/(<int:pk>/assign|<int:pk>/decide|notify)/",
         not_a_page="POST-only: assign a reviewer, record a decision, notify applicants"),
    Rule(r"fellowships/applications/", everyone("/fellowships/applications/")),
    Rule(r"fellowships/applications/<int:pk>/", lambda f, role: [
        f"/fellowships/applications/{f['fellowships']['submitted']}/",
        f"/fellowships/applications/{f['fellowships']['onboarded']}/"] if role != "visitor" else
        [f"/fellowships/applications/{f['fellowships']['submitted']}/"]),
    Rule(r"fellowships/applications/<int:pk>/(withdraw|onboard|travel|alumni)/",
         not_a_page="POST-only: withdraw, start onboarding, confirm travel, alumni listing"),
    Rule(r"fellowships/applications/<int:pk>/endorse/",
         lambda f, role: [f"/fellowships/applications/{f['fellowships']['to_endorse']}/endorse/"] if role == "member"
         else []),
    Rule(r"fellowships/applications/<int:pk>/documents/<int:doc>/", not_a_page="file download"),
    Rule(r"fellowships/applications/<int:pk>/documents/<int:doc>/remove/", not_a_page="POST-only: remove a file"),
    Rule(r"fellowships/review/", everyone("/fellowships/review/")),
    Rule(r"fellowships/review/<int:pk>/",
         lambda f, role: [f"/fellowships/review/{f['fellowships']['review']}/"] if role == "member" else []),
    Rule(r"fellowships/review/<int:pk>/conflict/", not_a_page="POST-only: declare a conflict of interest"),
    # Learning
    Rule(r"learning/", everyone("/learning/", "/learning/?language=en&topic=network-operations&level=beginner")),
    Rule(r"learning/my/", everyone("/learning/my/")),
    Rule(r"learning/grading/", everyone("/learning/grading/")),  # a member who facilitates nothing: 403
    Rule(r"learning/grading/<int:pk>/", staff_only_from("learning", lambda L: [f"/learning/grading/{L['grade']}/"])),
    Rule(r"learning/certificates/verify/", lambda f, role: [
        "/learning/certificates/verify/", f"/learning/certificates/verify/?code={f['learning']['certificate']}",
        "/learning/certificates/verify/?code=NOT-A-CODE"]),
    Rule(r"learning/certificates/<str:code>\.pdf", not_a_page="PDF download (the learner and staff)"),
    Rule(r"learning/certificates/<str:code>/revoke/",
         staff_only_from("learning", lambda L: [f"/learning/certificates/{L['certificate']}/revoke/"])),
    Rule(r"learning/reports/", staff_only("/learning/reports/", "/learning/reports/?by=month")),
    Rule(r"learning/reports\.csv", not_a_page="CSV download (staff)"),
    Rule(r"learning/author/", staff_only("/learning/author/")),
    Rule(r"learning/author/<int:pk>/", staff_only_from("learning", lambda L: [f"/learning/author/{L['pk']}/"])),
    Rule(r"learning/author/<int:pk>/(publish|move)/", not_a_page="POST-only: publish a version, reorder"),
    Rule(r"learning/author/<int:pk>/modules/<int:module>/",
         staff_only_from("learning", lambda L: [f"/learning/author/{L['pk']}/modules/{L['module']}/"])),
    Rule(r"learning/author/<int:pk>/lessons/<int:lesson>/",
         staff_only_from("learning", lambda L: [f"/learning/author/{L['pk']}/lessons/{L['lesson']}/"])),
    Rule(r"learning/author/<int:pk>/preview/<slug:key>/",
         staff_only_from("learning", lambda L: [f"/learning/author/{L['pk']}/preview/{L['preview_key']}/"])),
    Rule(r"learning/<str:language>/<slug:slug>/", lambda f, role: [f"{f['learning']['course']}"]
         + (["/learning/en/no-such-course/"] if role == "visitor" else [])),
    Rule(r"learning/<str:language>/<slug:slug>/(enrol|withdraw)/", not_a_page="POST-only: enrol, withdraw"),
    Rule(r"learning/<str:language>/<slug:slug>/resume/", not_a_page="a redirect to the lesson to resume"),
    Rule(r"learning/<str:language>/<slug:slug>/lessons/<slug:key>/",
         lambda f, role: [f"{f['learning']['course']}lessons/{f['learning']['key']}/"]),
    Rule(r"learning/<str:language>/<slug:slug>/quizzes/<slug:key>/",
         lambda f, role: [f"{f['learning']['course']}quizzes/{f['learning']['quiz']}/"]),
    Rule(r"learning/<str:language>/<slug:slug>/quizzes/<slug:key>/start/", not_a_page="POST-only: start an attempt"),
    Rule(r"learning/<str:language>/<slug:slug>/quizzes/<slug:key>/attempts/<int:number>/submit/",
         not_a_page="POST-only: submit an attempt"),
    Rule(r"learning/<str:language>/<slug:slug>/quizzes/<slug:key>/attempts/<int:number>/",
         lambda f, role: [f"{f['learning']['course']}quizzes/{f['learning']['quiz']}/attempts/1/"]
         if role == "member" else []),
    Rule(r"learning/<str:language>/<slug:slug>/files/<path:name>", not_a_page="a course's images and downloads"),
    # Secretariat (Django admin). Non-staff are sent to the admin's sign-in page.
    Rule(r"admin/", everyone("/admin/")),
    Rule(r"admin/login/", lambda f, role: ["/admin/login/"] if role != "staff" else []),
    Rule(r"admin/logout/", not_a_page="POST-only in Django 5"),
    Rule(r"admin/password_change/", staff_only("/admin/password_change/")),
    Rule(r"admin/password_change/done/", staff_only("/admin/password_change/done/")),
    Rule(r"admin/autocomplete/", not_a_page="JSON for the admin's autocomplete widgets"),
    Rule(r"admin/jsi18n/", not_a_page="JavaScript catalogue"),
    Rule(r"admin/r/<path:content_type_id>/<path:object_id>/",
         not_a_page="'view on site': redirects to the object's own page (crawled above)"),
    Rule(r"admin/members/invoice/<path:object_id>/mark-paid/",
         staff_only("/admin/members/invoice/{pk}/mark-paid/")),  # {pk} filled below
    Rule(r"admin/\^\(\?P<app_label>(.*)\)/\$", None),  # app indexes, filled below
    Rule(r"admin/\w+/\w+/<path:object_id>/", not_a_page="redirects to the object's change page"),
    Rule(r"admin/\w+/\w+/(?:add/|<path:object_id>/\w+/|<id>/password/)?", None),  # model pages, filled below
    Rule(r"admin/\(\?P<url>\.\*\)\$", not_a_page="the admin's catch-all: adds a final slash or answers 404"),
    # API: JSON, checked by tests/members/test_api.py; its documentation page is a page.
    Rule(r"api/v1/docs", everyone("/api/v1/docs")),
    # Internet Resilience Index: one URL per template
    Rule(r"pulse/resilience/", everyone("/pulse/resilience/")),
    Rule(r"pulse/resilience/countries/<str:code>/", lambda f, role: [f"/pulse/resilience/countries/{f['resilience']['country']}/"]),
    Rule(r"pulse/resilience/methodology/", everyone("/pulse/resilience/methodology/")),
    Rule(r"pulse/resilience/what-if/", lambda f, role: [f"/pulse/resilience/what-if/?country={f['resilience']['country']}&indicator=ixps&value=5"]),
    Rule(r"pulse/resilience/download/", not_a_page="CSV or Parquet download"),
    Rule(r"pulse/ixps/", everyone("/pulse/ixps/")),
    Rule(r"pulse/ixps/ixps\.csv", not_a_page="CSV download of the IXP search"),
    Rule(r"pulse/ixps/countries/<str:code>/", lambda f, role: [f"/pulse/ixps/countries/{f['ixps']['country']}/"]),
    Rule(r"pulse/ixps/<slug:slug>/", lambda f, role: [f"/pulse/ixps/{f['ixps']['slug']}/"]),
    Rule(r"pulse/ixps/<slug:slug>/members\.csv", not_a_page="CSV download of an IXP's members"),
    Rule(r"pulse/ixps/<slug:slug>/manrs/", not_a_page="POST-only: staff link an IXP to MANRS (the IXP page shows the form)"),
    # Internet Way of Networking impact assessment: the member owns one (served_site), the
    # demo's sample is the report anyone reads by its share link.
    Rule(r"impact-assessment/", everyone("/impact-assessment/")),
    Rule(r"impact-assessment/new/", everyone("/impact-assessment/new/")),
    Rule(r"impact-assessment/mine/", everyone("/impact-assessment/mine/")),
    Rule(r"impact-assessment/<str:share_token>/", lambda f, role: [f"/impact-assessment/{f['iwn']['report']}/"]),
    Rule(r"impact-assessment/<str:share_token>/report\.pdf", not_a_page="PDF download"),
    Rule(r"impact-assessment/<str:share_token>/details/",
         lambda f, role: [f"/impact-assessment/{f['iwn']['own']}/details/"] if role == "member" else []),
    Rule(r"impact-assessment/<str:share_token>/step/<int:number>/",
         lambda f, role: [f"/impact-assessment/{f['iwn']['own']}/step/6/"] if role == "member" else []),
    Rule(r"impact-assessment/<str:share_token>/delete/", not_a_page="POST-only: delete an assessment"),
    Rule(r"impact-assessment/<str:share_token>/edit/<str:edit_token>/",
         not_a_page="the edit link: keeps the token in the session and redirects to the first step"),
    # Community networks: one URL per template (the planner with a result shows its form and model too)
    Rule(r"pulse/community-networks/", everyone("/pulse/community-networks/")),
    Rule(r"pulse/community-networks/add/", lambda f, role: [] if role == "visitor" else ["/pulse/community-networks/add/"]),
    Rule(r"pulse/community-networks/planner/", everyone("/pulse/community-networks/planner/?households=200&area_km2=5"
                                                        "&terrain=hilly&backhaul=leo_satellite&take_up=60")),
    Rule(r"pulse/community-networks/<slug:slug>/", lambda f, role: [f"/pulse/community-networks/{f['community']['network']}/"]),
    Rule(r"pulse/community-networks/<slug:slug>/edit/",
         lambda f, role: [] if role == "visitor" else [f"/pulse/community-networks/{f['community']['network']}/edit/"]),
    Rule(r"pulse/community-networks/<slug:slug>/(support|trainings)/", not_a_page="POST-only: record support or a "
                                                                               "training (the network page shows the forms)"),
    Rule(r"api/docs", not_a_page="redirects to /api/v1/docs"),
    Rule(r"api/v1/openapi\.json", not_a_page="the OpenAPI schema (JSON)"),
    Rule(r"api/v1/.*", not_a_page="JSON API endpoint"),
]


def routes() -> list[str]:
    """Every URL pattern of the site, as its full route string."""
    from django.urls import URLResolver, get_resolver

    found: list[str] = []

    def walk(resolver, prefix: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + str(pattern.pattern))
            else:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver(), "")
    return found


def rule_for(route: str) -> Rule | None:
    return next((rule for rule in RULES if rule.matches(route)), None)


def uncovered(all_routes: list[str]) -> list[str]:
    return [route for route in all_routes if rule_for(route) is None]


def paths_for(role: str, facts: dict, all_routes: list[str]) -> list[str]:
    """The concrete paths a person in ``role`` visits, in URL-conf order, without repeats."""
    missing = uncovered(all_routes)
    assert not missing, (
        "URL patterns that the page crawl does not know how to visit: "
        + ", ".join(repr(r) for r in missing)
        + ". Add a rule to tests/e2e/crawl.py RULES saying how to fill their parameters, "
        "or why they are not pages."
    )
    paths: list[str] = []
    for route in all_routes:
        rule = rule_for(route)
        assert rule is not None
        if rule.not_a_page:
            continue
        if route.startswith("admin/^(?P<app_label>"):
            labels = re.search(r"\(\?P<app_label>([\w|]+)\)", route).group(1).split("|")
            found = [f"/admin/{label}/" for label in labels] if role == "staff" else []
        elif rule.fill is None:
            found = _admin_model_page(facts, role, route)
        else:
            found = [p.replace("{pk}", str(facts["open_invoice"]["pk"])) for p in rule.fill(facts, role)]
        for path in found:
            if path not in paths:
                paths.append(path)
    return paths


# --- axe-core ------------------------------------------------------------------------


def axe_script() -> Path:
    """axe-core's build from the npm registry, installed by `make install-test` (npm ci)."""
    if not AXE_JS.is_file():
        import shutil

        import pytest

        hint = ("npm is on this machine: run `npm ci --no-audit --no-fund` in the repository (or `make install-test`)."
                if shutil.which("npm") else
                "npm is not installed: `apt-get install nodejs npm` (as .ci/run does), then `make install-test`.")
        pytest.fail(f"axe-core is missing ({AXE_JS}). {hint}", pytrace=False)
    return AXE_JS


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


_AXE_SOURCE: list[str] = []


def _axe_source() -> str:
    if not _AXE_SOURCE:
        _AXE_SOURCE.append(axe_script().read_text())
    return _AXE_SOURCE[0]


def axe_violations(page) -> list[dict]:
    """The WCAG 2.2 A/AA violations axe-core finds in the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through DevTools, not added as an inline <script>: the site's
        # Content-Security-Policy (script-src 'self') refuses inline scripts, rightly.
        page.evaluate(_axe_source())
    return page.evaluate(AXE_RUN, WCAG_TAGS)


def describe(where: str, violations: list[dict]) -> str:
    lines = [f"{where}:"]
    for v in violations:
        targets = ", ".join(v["targets"][:8]) + (f" (+{len(v['targets']) - 8} more)" if len(v["targets"]) > 8 else "")
        lines.append(f"  - {v['id']} [{v['impact']}] {v['help']}: {targets}")
    return "\n".join(lines)


# --- browsing the served site --------------------------------------------------------

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


class Visit:
    """A browser context on the served site that notes every request leaving loopback.

    It watches instead of intercepting: Playwright's request routing turns the HTTP
    cache off, and the page-weight test measures what the cache saves."""

    def __init__(self, browser, site, *, axe: bool = False, **options):
        from urllib.parse import urlsplit

        self.site = site
        self.offsite: list[str] = []
        options = {"locale": "en-GB", "timezone_id": "UTC", "viewport": {"width": 1280, "height": 900}, **options}
        self.context = browser.new_context(base_url=site.base_url, extra_http_headers=site.headers, **options)
        self.context.set_default_timeout(15_000)

        def watch(request) -> None:
            parts = urlsplit(request.url)
            if parts.scheme not in ("data", "blob", "about") and (parts.hostname or "") not in LOOPBACK:
                self.offsite.append(request.url)

        self.context.on("request", watch)
        # Every Content-Security-Policy violation of a page, for page_problems to report.
        self.context.add_init_script(script=CSP_WATCH)
        if axe:  # in every page before its own scripts: cheaper than injecting it page by page
            self.context.add_init_script(path=str(axe_script()))
        self.page = self.context.new_page()

    def sign_in(self, role: str) -> None:
        """Sign in through the site's form as the demo member or the staff administrator."""
        if role == "visitor":
            return
        from e2e_ui import submit_login

        self.page.goto("/accounts/login/")
        submit_login(self.page, self.site.facts[role]["email"], self.site.facts["password"],
                     totp_secret=self.site.facts[role].get("totp_secret"))
        self.page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def path(self) -> str:
        return self.page.url.removeprefix(self.site.base_url)

    def close(self) -> None:
        self.context.close()
        assert not self.offsite, f"pages tried to reach beyond this machine: {self.offsite}"


CSP_WATCH = """window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(
  `${e.violatedDirective} refused ${e.blockedURI || 'inline'} (${e.sourceFile || ''}:${e.lineNumber})`));"""


# What axe-core does not check but the issue asks for: images sized and lazy-loaded,
# nothing loaded from elsewhere, and every form error tied to its field.
# Django's admin is exempt from the image rule: its images are 1 KB icons of its own.
PAGE_CHECKS = """() => {
  const problems = [];
  for (const v of (window.__cspViolations || [])) problems.push(`Content-Security-Policy violation: ${v}`);
  const images = location.pathname.startsWith('/admin/') ? [] : document.images;
  for (const img of images) {
    if (!img.getAttribute('width') || !img.getAttribute('height'))
      problems.push(`image without width and height attributes: ${img.outerHTML.slice(0, 120)}`);
    if (img.getAttribute('loading') !== 'lazy' && img.getAttribute('fetchpriority') !== 'high')
      problems.push(`image neither lazy-loaded nor marked fetchpriority=high: ${img.outerHTML.slice(0, 120)}`);
  }
  for (const el of document.querySelectorAll('script[src], link[rel=stylesheet][href], img[src], iframe[src]')) {
    const url = new URL(el.src || el.href, location.href);
    if (url.origin !== location.origin && url.protocol !== 'data:')
      problems.push(`third-party resource: ${url.href}`);
  }
  const described = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]'))
    for (const id of el.getAttribute('aria-describedby').split(/\\s+/)) described.add(id);
  for (const list of document.querySelectorAll('form ul.errorlist:not(.nonfield)')) {
    if (!list.id || !described.has(list.id))
      problems.push(`form error not tied to its field by aria-describedby: ${list.outerHTML.slice(0, 160)}`);
  }
  for (const el of document.querySelectorAll('[aria-invalid=true]')) {
    // A radio button or checkbox may be described by the group (fieldset) it belongs to.
    const group = el.closest('fieldset');
    const ids = [el, group].flatMap(e => (e && e.getAttribute('aria-describedby') || '').split(/\\s+/)).filter(Boolean);
    if (!ids.some(id => document.getElementById(id)))
      problems.push(`invalid field with no description of the error: #${el.id}`);
  }
  return problems;
}"""


def page_problems(page) -> list[str]:
    problems = page.evaluate(PAGE_CHECKS)
    return [f"{p} (×{problems.count(p)})" if problems.count(p) > 1 else p for p in dict.fromkeys(problems)]

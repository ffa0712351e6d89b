"""Who may open each URL of the site: one rule per URL pattern, matched against the
pattern's route as the URL conf writes it (``members/invoices/<str:number>/``).

tests/security/test_access_rules.py walks every pattern of the URL conf (the API's routes
too) and fails for one no rule covers, so a new view cannot land without saying who may
see it; it then requests each rule's pages as a visitor, another member, the owner and
staff and checks that nobody sees what their rule does not give them.

Audiences, from the widest:

- PUBLIC: anyone, signed in or not (the reason says why nothing private is shown:
  published data only, the viewer's own form, …);
- LINK: anyone holding an unguessable link (share tokens, e-mailed keys);
- SIGNED_IN: any signed-in person, and the page shows only their own data;
- OWNER: the person the object belongs to (and staff); another member gets 403/404;
- ROLE: holders of a role on the object (chapter officer, event organizer, reviewer,
  course author or grader, candidate…) and staff; the reason names the role;
- STAFF: the secretariat only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PUBLIC, LINK, SIGNED_IN, OWNER, ROLE, STAFF = "public", "link", "signed-in", "owner", "role", "staff"


@dataclass(frozen=True)
class Access:
    route: str  # regular expression for the whole route string
    audience: str
    why: str

    def matches(self, route: str) -> bool:
        return re.fullmatch(self.route, route) is not None


def public(route: str, why: str) -> Access:
    return Access(route, PUBLIC, why)


def link(route: str, why: str) -> Access:
    return Access(route, LINK, why)


def signed_in(route: str, why: str = "the signed-in person's own data") -> Access:
    return Access(route, SIGNED_IN, why)


def owner(route: str, why: str) -> Access:
    return Access(route, OWNER, why)


def role(route: str, why: str) -> Access:
    return Access(route, ROLE, why)


def staff(route: str, why: str = "secretariat work") -> Access:
    return Access(route, STAFF, why)


SLUG = r"<slug:slug>"
RULES: list[Access] = [
    # --- site -----------------------------------------------------------------------
    public(r"", "home page"),
    public(r"healthz", "load balancers' health check: says only whether the site is up"),
    public(r"readyz", "load balancers' readiness check: names each check (database, migrations, data folder, broker) and whether it passed, nothing more"),
    public(r"metrics", "Prometheus scrape: open to loopback only, elsewhere it needs ISOC_METRICS_TOKEN (tests/ops/test_probes.py); holds counts and latencies, no personal data"),
    public(r"preferences/", "the reader's own language and time zone"),
    public(r"i18n/setlang/", "sets the reader's language cookie"),
    public(r"admin/login/", "sends to the site's sign-in page"),
    public(r"admin/logout/", "signs out (POST); shows nothing"),
    staff(r"admin/.*", "Django's admin: is_staff and model permissions"),
    # --- accounts (allauth and allauth.mfa) --------------------------------------------
    public(r"accounts/(login|signup|inactive|password/reset|password/reset/done|password/reset/key/done"
           r"|login/code/confirm|confirm-email|logout)/", "sign-in and sign-up forms; nothing of anyone shown"),
    link(r"accounts/\^confirm-email/.*", "the key e-mailed to the address"),
    link(r"accounts/\^password/reset/key/.*", "the key e-mailed to the address"),
    signed_in(r"accounts/(email|password/change|password/set|reauthenticate|reauthenticate/code"
              r"|reauthenticate/code/confirm)/"),
    public(r"accounts/2fa/authenticate/", "the second step of a sign-in in progress (its own session)"),
    signed_in(r"accounts/2fa/.*", "the signed-in person's own authenticators"),
    # --- members --------------------------------------------------------------------
    signed_in(r"members/(join|membership/<slug:action>|profile|profile/tokens/new|profile/export|profile/erase)?/?"),
    owner(r"members/profile/tokens/<int:pk>/revoke/", "a person revokes only their own tokens"),
    public(r"members/directory/", "only people who chose to be listed, with what they chose to show"),
    owner(r"members/invoices/<str:number>/", "the payer (person, or a contact of the organization) and staff"),
    public(r"members/organizations/", "organization members in good standing, a public list"),
    signed_in(r"members/organizations/join/", "the person joining on behalf of their organization"),
    public(r"members/organizations/<slug:slug>/", "public profile of an organization member in good standing"),
    role(r"members/organizations/<slug:slug>/<slug:action>/", "contacts of the organization"),
    # --- events ---------------------------------------------------------------------
    public(r"events/", "published events only"),
    public(rf"events/{SLUG}/(calendar\.ics)?", "published events only; drafts answer 404 to all but staff"),
    signed_in(rf"events/{SLUG}/(register|cancel)/", "the signed-in person's own registration"),
    role(rf"events/{SLUG}/(attendees\.csv|funding|cancellation|refunds/<int:pk>)/?", "organizers of the event and staff"),
    # --- chapters -------------------------------------------------------------------
    public(r"chapters/", "chapters and bureaus, public"),
    public(rf"chapters/{SLUG}/", "a chapter's public page"),
    signed_in(rf"chapters/{SLUG}/(join|leave)/", "the signed-in person's own chapter membership"),
    role(rf"chapters/{SLUG}/(dashboard/|officers/appoint/|officers/<int:term>/end/|members\.csv|reports/new/)",
         "officers of the chapter and staff"),
    # --- Pulse: published measurement data --------------------------------------------
    signed_in(r"pulse/community-networks/add/", "any signed-in person may propose a network"),
    role(rf"pulse/community-networks/{SLUG}/(edit|support|trainings)/", "the network's editors and staff"),
    public(r"pulse/.*", "published measurement data and methodology (no personal data)"),
    # --- elections ------------------------------------------------------------------
    public(r"elections/", "published elections"),
    public(rf"elections/{SLUG}/", "an election's public page"),
    role(rf"elections/{SLUG}/ballot/", "eligible voters; the ballot is secret (no voter stored with it)"),
    public(rf"elections/{SLUG}/results/", "results once certified"),
    public(rf"elections/{SLUG}/ballots\.json", "anonymous ballots for recount, once the election is closed"),
    staff(rf"elections/{SLUG}/certify/", "the election committee (staff)"),
    role(rf"elections/{SLUG}/(stand|petitions|challenge)/", "eligible members, candidates and petitioners"),
    role(rf"elections/{SLUG}/(candidates|questions)/<int:pk>/(ask|answer)/", "members ask; the candidate answers"),
    # --- trust ----------------------------------------------------------------------
    public(r"trust/.*", "published Online Trust Audit results"),
    # --- fellowships ----------------------------------------------------------------
    public(r"fellowships/(methodology/|alumni/|programmes/<slug:slug>/|calls/<slug:slug>/)?",
           "programmes, open calls and alumni who chose to be listed"),
    signed_in(rf"fellowships/calls/{SLUG}/apply/", "the applicant's own application"),
    staff(rf"fellowships/calls/{SLUG}/manage/.*", "selection committee (staff)"),
    signed_in(r"fellowships/applications/", "the applicant's own applications"),
    owner(r"fellowships/applications/<int:pk>/.*", "the applicant, their endorser and staff"),
    role(r"fellowships/review/.*", "reviewers assigned to the application, and staff"),
    # --- learning -------------------------------------------------------------------
    public(r"learning/", "published courses"),
    signed_in(r"learning/my/", "the learner's own enrolments"),
    role(r"learning/grading/.*", "graders and staff"),
    public(r"learning/certificates/verify/", "anyone verifies a certificate by its code"),
    link(r"learning/certificates/<str:code>\.pdf", "the certificate's code, given by its holder"),
    staff(r"learning/certificates/<str:code>/revoke/"),
    staff(r"learning/reports(/|\.csv)"),
    role(r"learning/author/.*", "course authors and staff"),
    public(r"learning/<str:language>/<slug:slug>/(files/<path:name>)?", "published courses and their files"),
    signed_in(r"learning/<str:language>/<slug:slug>/.*", "the learner's own enrolment, progress and attempts"),
    # --- impact assessment (IWN) -------------------------------------------------------
    public(r"impact-assessment/(new/)?", "the questionnaire"),
    signed_in(r"impact-assessment/mine/", "the person's own saved assessments"),
    link(r"impact-assessment/<str:share_token>/.*", "the unguessable share link, given by its author"),
    # --- API --------------------------------------------------------------------------
    public(r"api/docs|api/v1/(docs|openapi\.json)?", "the API's documentation"),
    signed_in(r"api/v1/me(/.*)?", "the caller's own record (token or session)"),
    staff(r"api/v1/members(/<person_id>)?", "all people: staff only"),
    signed_in(r"api/v1/events/<slug>/registration", "the caller's own registration"),
    role(r"api/v1/events/<slug>/(attendees|funding)", "organizers of the event and staff"),
    public(r"api/v1/impact-assessment/(questionnaire|evaluate)", "the questionnaire; evaluate stores nothing"),
    link(r"api/v1/impact-assessment/reports/<share_token>", "the unguessable share link"),
    public(r"api/v1/.*", "published data only (what the public pages show)"),
]


def rule_for(route: str) -> Access | None:
    return next((rule for rule in RULES if rule.matches(route)), None)

"""Pages for members: home, join and change membership, profile, directory, receipts,
organizations, data export and erasure. Every page that lists something also answers
JSON through the API, which shares its query (``queries``)."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from isoc.members import forms, queries, services
from isoc.members import models as m
from isoc.members.numbering import parse_number
from isoc.members.tokens import create_token
from isoc.site.l10n import country_name
from isoc.site.public_cache import shared_count
from isoc.site.security import ratelimit


def _apply(request, operation, *args, success: str, **kwargs):
    """Run a service, turning a broken rule into a message rather than an error page."""
    try:
        result = operation(*args, **kwargs)
    except services.RuleViolation as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, success)
    return result


def _rate_in_force() -> m.DuesRate | None:
    """The dues rate a member joining now is charged (a rate staff added for a later date
    is not quoted before it applies)."""
    return m.DuesRate.objects.filter(effective_from__lte=timezone.now()).first()


@login_required
def home(request):
    person = request.user
    membership = person.current_membership()
    return render(request, "members/home.html", {
        "membership": membership,
        "standing": membership.standing() if membership else None,
        "terms": membership.terms.select_related("invoice") if membership else [],
        "history": membership.events.all() if membership else [],
        "invoices": person.invoices.all()[:20],
        "organizations": person.organizations_managed.all(),
        "rate": _rate_in_force(),
    })


@login_required
def join(request):
    form = forms.JoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.join(request.user, form.cleaned_data["category"], actor=request.user)
        except services.RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Welcome! Your membership is recorded."))
            return redirect("members:home")
    return render(request, "members/join.html", {"form": form, "rate": _rate_in_force()})


@login_required
@require_POST
def change(request, action: str):
    operations = {
        "renew": (services.renew, _("Renewal invoiced. Your next year starts when it is paid.")),
        "upgrade": (services.upgrade, _("Upgrade invoiced. You become a sustaining member when it is paid.")),
        "downgrade": (services.downgrade, _("You will be a global member when your paid year ends.")),
        "cancel": (services.cancel, _("Your membership is cancelled.")),
    }
    if action not in operations:
        raise Http404
    membership = request.user.current_membership()
    if membership is None:
        messages.error(request, _("You have no current membership."))
    else:
        operation, success = operations[action]
        _apply(request, operation, membership, actor=request.user, success=success)
    return redirect("members:home")


@login_required
def profile(request):
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Profile saved."))
        return redirect("members:profile")
    return render(request, "members/profile.html", {"form": form, "tokens": request.user.api_tokens.filter(revoked_at__isnull=True)})


@login_required
@require_POST
def new_token(request):
    try:  # security: a stolen session cannot mint tokens without end
        ratelimit.hit("token_create", f"person:{request.user.pk}")
    except ratelimit.RateLimited as exc:
        return ratelimit.refused_page(request, exc, _("You have created too many API tokens in a short time."),
                                      back=reverse("members:profile"))
    name = (request.POST.get("name") or "script").strip()[:100]
    token, key = create_token(request.user, name)
    return render(request, "members/token_created.html", {"token": token, "key": key})


@login_required
@require_POST
def revoke_token(request, pk: int):
    from django.utils import timezone

    request.user.api_tokens.filter(pk=pk).update(revoked_at=timezone.now())
    messages.success(request, _("Token revoked."))
    return redirect("members:profile")


def directory(request):
    form = forms.DirectorySearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    if not request.user.is_authenticated:
        # Anonymous visitors see no names, and the count of a filtered search would tell
        # them whether a named person is a member: they get the unfiltered total only.
        filters = {}
    people = queries.directory(filters.get("q", ""), filters.get("country", ""), filters.get("category", ""))
    page = CountedPaginator(people.only(
        "pk", "first_name", "last_name", "country", "city", "organization", "bio", "website",
        "show_country", "show_city", "show_organization", "show_bio", "show_website", "email",
    ), 50, count_key=("directory", filters.get("q", ""), filters.get("country", ""), filters.get("category", "")),
    ).get_page(request.GET.get("page"))
    viewer = request.user
    rows = [_directory_row(p, viewer) for p in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    # htmx (the filter form, when scripts run) asks for the results only; a history
    # restore or a plain GET gets the whole page. Both share this URL: Vary says so.
    fragment = bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")
    response = render(request, "members/directory_results.html" if fragment else "members/directory.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(), "fragment": fragment,
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


class CountedPaginator(Paginator):
    """A paginator whose total is cached for a minute: counting 30,000 listed members
    is most of a directory page's database time, and a total a minute old is fine."""

    def __init__(self, object_list, per_page, *, count_key: tuple, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_key = "count:" + hashlib.sha256(repr(count_key).encode()).hexdigest()

    @cached_property
    def count(self) -> int:
        # One process counts at a time; the others show the previous total meanwhile.
        return shared_count(self.count_key, self.object_list.count, fresh=60)


def _directory_row(person: m.Person, viewer) -> dict:
    """What ``viewer`` may see of a listed member. Anonymous visitors see no personal
    data at all; members see what each member chose to show; staff see everything."""
    if not viewer.is_authenticated:
        return {"name": None}
    shown = set(m.DIRECTORY_FIELDS) if viewer.is_staff or viewer.pk == person.pk else set(person.visible_directory_fields())
    row = {"name": person.display_name, "pk": person.pk}
    for f in m.DIRECTORY_FIELDS:
        if f in shown:
            value = getattr(person, f)
            row[f] = country_name(value, get_language()) if f == "country" and value else value
    return row


def organizations(request):
    orgs = list(queries.active_organizations().order_by("-tier__rank", "legal_name"))
    tiers = m.OrganizationTier.objects.order_by("-rank")
    grouped = [(tier, [o for o in orgs if o.tier_id == tier.pk]) for tier in tiers]
    return render(request, "members/organizations.html", {"grouped": grouped, "total": len(orgs)})


def organization(request, slug: str):
    org = get_object_or_404(m.Organization.objects.select_related("tier"), slug=slug)
    manager = request.user.is_authenticated and (request.user.is_staff or services.is_contact(request.user, org))
    standing = org.standing()
    if not manager and (standing is None or standing.status != "active"):
        raise Http404
    return render(request, "members/organization.html", {
        "org": org, "standing": standing, "manager": manager,
        "contacts": org.organizationcontact_set.select_related("person") if manager else [],
        "invoices": org.invoices.all() if manager else [],
        "edit_form": forms.OrganizationEditForm(instance=org) if manager else None,
        "contact_form": forms.AddContactForm() if manager else None,
    })


@login_required
def organization_join(request):
    form = forms.OrganizationJoinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            org = services.join_organization(request.user, **data)
        except services.RuleViolation as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Thank you. Your organization joins when the first invoice is paid."))
            return redirect(org.get_absolute_url())
    return render(request, "members/organization_join.html", {"form": form, "tiers": m.OrganizationTier.objects.order_by("rank")})


@login_required
@require_POST
def organization_manage(request, slug: str, action: str):
    org = get_object_or_404(m.Organization, slug=slug)
    if not (request.user.is_staff or services.is_contact(request.user, org)):
        return HttpResponseForbidden(_("Only the organization's contacts can manage it."))
    if action == "edit":
        form = forms.OrganizationEditForm(request.POST, instance=org)
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Please correct the errors: %(e)s") % {"e": form.errors.as_text()})
    elif action == "contact":
        form = forms.AddContactForm(request.POST)
        if form.is_valid():
            _apply(request, services.add_contact, org, form.cleaned_data["email"], actor=request.user, success=_("Contact added."))
        else:
            messages.error(request, _("Enter a valid email address."))
    elif action == "renew":
        _apply(request, services.renew_organization, org, actor=request.user, success=_("Renewal invoiced."))
    else:
        raise Http404
    return redirect(org.get_absolute_url())


def _may_see_invoice(user, invoice: m.Invoice) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff or invoice.person_id == user.pk:
        return True
    return invoice.organization_id is not None and services.is_contact(user, invoice.organization)


@login_required
def receipt(request, number: str):
    try:
        parse_number(number)  # a malformed number (e.g. with a NUL byte) is not found, not a server error
    except ValueError:
        raise Http404 from None
    invoice = get_object_or_404(m.Invoice.objects.select_related("person", "organization"), number=number)
    if not _may_see_invoice(request.user, invoice):
        raise Http404  # not 403: do not confirm that someone else's invoice exists
    from isoc.members.payments import provider_for

    return render(request, "members/receipt.html", {
        "invoice": invoice, "payments": invoice.payments.all(), "credit_notes": invoice.credit_notes.all(),
        "instructions": provider_for("bank_transfer").instructions(invoice),
    })


@login_required
def export(request):
    response = HttpResponse(services.export_person_json(request.user), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="isoc-my-data.json"'
    return response


@login_required
def erase(request):
    form = forms.EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("That is not your password."))
        else:
            person = request.user
            try:
                services.erase_person(person, actor=person)
            except services.RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                logout(request)
                messages.success(request, _("Your account has been erased."))
                return redirect("home")
    return render(request, "members/erase.html", {"form": form})

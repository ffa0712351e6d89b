"""The Online Trust Audit's scoring core, without a database: hand-computed scores of
constructed organizations, one criterion's flip moving the total by exactly its weight,
the Honor Roll's edges, and the weights file's validation."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isoc.enablers.results import PRIVACY_ELEMENTS, DomainResult
from isoc.trust import scoring
from isoc.trust.scoring import Adjustment, Outcome

AT = datetime(2026, 3, 1, tzinfo=UTC)
WEIGHTS = scoring.load_weights()


def exemplary(domain: str = "good.example") -> DomainResult:
    """A domain that follows every practice the audit looks at."""
    return DomainResult(
        domain=domain, scanned_at=AT, resolver="test", aaaa=["2001:db8::1"], ipv6_reachable=True, https_ok=True,
        http_redirects_to_https=True, cert_valid=True, tls13=True, tls12=True, tls_legacy=False, tls_legacy_off=True,
        hsts=True, hsts_max_age=63_072_000, hsts_include_subdomains=True, hsts_preload=True, alt_svc_h3=True,
        http3=True, dnssec="secure", dnssec_secure=True, caa=True, mx=["mx.good.example"], spf_all="-",
        spf_strict=True, dkim=True, dmarc_policy="reject", dmarc_pct=100, dmarc_enforced=True,
        mta_sts_mode="enforce", mta_sts_enforce=True, smtp_starttls=True,
        security_headers=["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"],
        privacy_policy_url="https://good.example/privacy", privacy_policy_reachable=True,
        privacy_policy_elements=list(PRIVACY_ELEMENTS), third_party_hosts=[], cookies_before_consent=0)


def test_the_default_weights_are_valid_and_each_category_has_100_base_points():
    sections = WEIGHTS.as_sections()
    assert {k: sum(v.values()) for k, v in sections.items() if k != "bonus"} == {
        "consumer": 100, "site": 100, "privacy": 100}
    assert set(WEIGHTS.points) == set(scoring.BY_KEY)
    assert all(c.fix and c.title for c in scoring.CRITERIA)


def test_an_exemplary_domain_scores_every_base_and_bonus_point():
    card = scoring.score(exemplary(), WEIGHTS)
    # consumer 100 + mta_sts_enforce 5 = 105; site 100 + http3 5 + hsts_preload 5 + ipv6 5 = 115; privacy 100
    assert {k: c.score for k, c in card.categories.items()} == {"consumer": 105, "site": 115, "privacy": 100}
    assert card.total == 320 and card.honor_roll and card.percent == pytest.approx(106.67)


def test_an_http_only_site_with_p_none_and_no_policy():
    r = replace(exemplary("weak.example"), https_ok=False, http_redirects_to_https=False, cert_valid=None, tls13=None,
                tls_legacy_off=None, hsts=None, hsts_max_age=None, hsts_include_subdomains=None, hsts_preload=None,
                http3=None, alt_svc_h3=None, caa=False, dmarc_policy="none", dmarc_enforced=False,
                mta_sts_mode=None, mta_sts_enforce=False, privacy_policy_reachable=False, privacy_policy_elements=[],
                privacy_policy_url=None, third_party_hosts=[f"t{i}.example" for i in range(7)], cookies_before_consent=3,
                security_headers=["X-Content-Type-Options"])
    card = scoring.score(r, WEIGHTS)
    # consumer: spf 15 + dkim 15 + dmarc_record 10 + starttls 15 + dnssec 15 = 70 (dmarc_enforced,
    #   dmarc_reject and mta_sts fail: 0); bonus mta_sts_enforce fails: 70
    # site: only the IPv6 bonus (5); https, redirect, caa, headers fail; certificate, TLS and HSTS
    #   are not measured (no HTTPS answer): 0 + 5 = 5
    # privacy: no policy (0, and the eight elements 0), 7 third parties > 5 (0), 3 cookies (0): 0
    assert {k: c.score for k, c in card.categories.items()} == {"consumer": 70, "site": 5, "privacy": 0}
    assert card.total == 75 and not card.honor_roll
    outcomes = {c.key: c.outcome for c in card.criteria}
    assert outcomes["certificate"] is Outcome.NOT_MEASURED and outcomes["https"] is Outcome.FAILED
    assert outcomes["privacy_retention"] is Outcome.FAILED


def test_a_bank_with_a_breach_penalty():
    r = replace(exemplary("bank.example"), dnssec_secure=False, dnssec="insecure", mta_sts_mode=None,
                mta_sts_enforce=False, http3=False, hsts_preload=False, ipv6_reachable=False,
                privacy_policy_elements=["data_collected", "purpose", "sharing", "contact"], cookies_before_consent=2)
    card = scoring.score(r, WEIGHTS, [Adjustment(-30, "breach", "consumer"), Adjustment(-10, "settlement")])
    # consumer: 100 - dnssec 15 - mta_sts 5 = 80; bonus 0; penalty -30 → 50
    # site: 100, no bonus → 100
    # privacy: 100 - 4 missing elements × 5 - cookies 15 = 65
    # total: 50 + 100 + 65 - 10 (settlement, no category) = 205 → not on the Honor Roll
    assert {k: c.score for k, c in card.categories.items()} == {"consumer": 50, "site": 100, "privacy": 65}
    assert card.unassigned_adjustments == -10 and card.total == 205 and not card.honor_roll
    assert any("consumer 50" in s for s in card.shortfalls)


def _outcomes(card: scoring.Scorecard) -> dict[str, Outcome]:
    return {c.key: c.outcome for c in card.criteria}


@given(st.dictionaries(st.sampled_from(sorted(scoring.BY_KEY)), st.sampled_from(list(Outcome))),
       st.sampled_from(sorted(scoring.BY_KEY)), st.sampled_from([Outcome.FAILED, Outcome.NOT_MEASURED]),
       st.lists(st.tuples(st.integers(-50, 50), st.sampled_from([None, *scoring.CATEGORIES])), max_size=3))
def test_flipping_one_criterion_changes_the_total_by_exactly_its_weight(outcomes, key, other, adjustments):
    adj = [Adjustment(p, "x", c) for p, c in adjustments]
    passed = scoring.score_outcomes({**outcomes, key: Outcome.PASSED}, WEIGHTS, adj)
    not_passed = scoring.score_outcomes({**outcomes, key: other}, WEIGHTS, adj)
    weight = WEIGHTS.of(key)
    assert passed.total - not_passed.total == weight
    category = scoring.BY_KEY[key].category
    assert passed.categories[category].score - not_passed.categories[category].score == weight


@given(st.sampled_from([c.key for c in scoring.CRITERIA if c.test.__name__ == "<lambda>"]))
def test_flipping_one_measured_field_of_the_scan_row_moves_the_score_by_its_weight(key):
    """Criteria that read one column: that column alone turns the points on and off."""
    column = {"spf": "spf_strict", "dkim": "dkim", "dmarc_enforced": "dmarc_enforced", "starttls": "smtp_starttls",
              "dnssec": "dnssec_secure", "https": "https_ok", "https_redirect": "http_redirects_to_https",
              "certificate": "cert_valid", "tls13": "tls13", "tls_legacy_off": "tls_legacy_off", "hsts": "hsts",
              "caa": "caa", "http3": "http3", "ipv6": "ipv6_reachable", "mta_sts_enforce": "mta_sts_enforce"}[key]
    good = scoring.score(exemplary(), WEIGHTS)
    bad = scoring.score(replace(exemplary(), **{column: False}), WEIGHTS)
    assert _outcomes(bad)[key] is Outcome.FAILED
    changed = [k for k in scoring.BY_KEY if _outcomes(good)[k] != _outcomes(bad)[k]]
    assert good.total - bad.total == sum(WEIGHTS.of(k) for k in changed)
    assert key in changed


def _with(consumer: int, site: int, privacy: int) -> scoring.Scorecard:
    """A scorecard with these category scores: all criteria passed, then a penalty per category."""
    adj = [Adjustment(consumer - 105, "x", "consumer"), Adjustment(site - 115, "x", "site"),
           Adjustment(privacy - 100, "x", "privacy")]
    return scoring.score(exemplary(), WEIGHTS, adj)


def test_exactly_80_percent_with_every_category_at_60_or_more_makes_the_honor_roll():
    card = _with(80, 80, 80)  # 240 = 80% of 300
    assert card.total == 240 and card.honor_roll and card.shortfalls == []


def test_one_point_short_of_80_percent_does_not():
    card = _with(80, 80, 79)
    assert card.total == 239 and not card.honor_roll
    assert card.shortfalls == ["total 239 is below 80% of 300"]


def test_a_category_at_59_keeps_a_high_total_off_the_honor_roll():
    card = _with(59, 115, 100)
    assert card.total == 274 and not card.honor_roll
    assert card.shortfalls == ["consumer 59 is below 60"]
    assert _with(60, 115, 100).honor_roll


def test_bonus_points_can_lift_a_category_over_60():
    # site: 100 - https_redirect 10 - certificate 15 - security_headers 15 - tls13 10 = 50; + 15 bonus = 65
    r = replace(exemplary(), http_redirects_to_https=False, cert_valid=False, security_headers=[], tls13=False)
    card = scoring.score(r, WEIGHTS)
    assert card.categories["site"].base == 50 and card.categories["site"].bonus == 15
    assert card.categories["site"].score == 65 and card.honor_roll


# --- weights files -----------------------------------------------------------------------


def _write(tmp_path, sections, name="w.toml"):
    path = tmp_path / name
    if name.endswith(".json"):
        path.write_text(json.dumps(sections))
    else:
        lines = []
        for section, table in sections.items():
            lines.append(f"[{section}]")
            lines += [f"{k} = {json.dumps(v)}" for k, v in table.items()]
        path.write_text("\n".join(lines) + "\n")
    return path


def test_a_json_weights_file_is_read_like_toml(tmp_path):
    sections = WEIGHTS.as_sections()
    sections["site"]["caa"], sections["site"]["hsts_long"] = 10, 0
    weights = scoring.load_weights(_write(tmp_path, sections, "w.json"))
    assert weights.of("caa") == 10 and weights.of("hsts_long") == 0 and weights.source.endswith("w.json")


def test_weights_that_do_not_sum_to_100_are_refused_naming_the_category(tmp_path):
    sections = WEIGHTS.as_sections()
    sections["privacy"]["third_parties"] = 20
    with pytest.raises(scoring.WeightsError) as err:
        scoring.load_weights(_write(tmp_path, sections))
    assert err.value.problems == ["[privacy] weights sum to 105, not 100"]


def test_unknown_missing_and_misplaced_criteria_are_each_named(tmp_path):
    sections = WEIGHTS.as_sections()
    sections["consumer"]["bimi"] = 0
    del sections["site"]["caa"]
    sections["site"]["dnssec"] = sections["consumer"].pop("dnssec")
    sections["bonus"]["http3"] = -5
    sections["colour"] = {}
    with pytest.raises(scoring.WeightsError) as err:
        scoring.load_weights(_write(tmp_path, sections))
    problems = err.value.problems
    assert "unknown section [colour] (expected consumer, site, privacy, bonus)" in problems
    assert "[consumer] unknown criterion 'bimi'" in problems
    assert "[site] 'dnssec' belongs in [consumer]" in problems
    assert "[site] missing criterion 'caa'" in problems
    assert "[bonus] http3 = -5: a weight is a whole number of points, 0 or more" in problems
    assert "[consumer] weights sum to 85, not 100" in problems


def test_unreadable_and_malformed_files_say_so(tmp_path):
    with pytest.raises(scoring.WeightsError, match="cannot read"):
        scoring.load_weights(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[consumer\nspf = ")
    with pytest.raises(scoring.WeightsError, match="not valid TOML"):
        scoring.load_weights(bad)
    with pytest.raises(scoring.WeightsError, match="missing section"):
        scoring.validate_weights({"consumer": {}})

"""Reading domain lists: plain files and the rank,domain CSV of Umbrella and Tranco; bad
lines are named, all at once, and the reader never fails any other way."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import SHARED_DATA

from isoc.enablers.domains import DomainListError, normalize_domain, parse_text, read_domains

UMBRELLA = SHARED_DATA / "domains" / "umbrella" / "top-sites-10000.csv"


def test_plain_list_skips_blanks_and_comments_normalises_and_dedupes(tmp_path):
    path = tmp_path / "domains.txt"
    path.write_text("# our list\n\nExample.ORG.\nexample.org\nbücher.example  # a comment\nwww.example.org\n")
    assert read_domains(path) == ["example.org", "xn--bcher-kva.example", "www.example.org"]


def test_umbrella_csv_with_crlf_and_a_bom(tmp_path):
    path = tmp_path / "top.csv"
    path.write_bytes(b"\xef\xbb\xbf1,google.com\r\n2,www.google.com\r\n3,Google.com\r\n\r\n")
    assert read_domains(path) == ["google.com", "www.google.com"]


def test_a_header_row_is_allowed(tmp_path):
    assert parse_text("rank,domain\n1,a.example\n", "umbrella") == ["a.example"]


@pytest.mark.skipif(not UMBRELLA.exists(), reason=f"{UMBRELLA} is not present (../shared/data)")
def test_the_real_umbrella_top_list_reads_whole():
    domains = read_domains(UMBRELLA)
    assert len(domains) == 10_000 and domains[:2] == ["google.com", "www.google.com"]
    assert read_domains(UMBRELLA, limit=5) == domains[:5]


def test_format_is_detected_or_forced():
    assert parse_text("a.example\nb.example\n") == ["a.example", "b.example"]
    assert parse_text("1,a.example\n") == ["a.example"]
    with pytest.raises(DomainListError, match=r"line 1: rank 'a.example' is not a whole number"):
        parse_text("a.example,b.example\n", "umbrella")
    with pytest.raises(DomainListError, match=r"contains spaces|single label"):
        parse_text("1 a.example\n", "plain")


def test_every_bad_line_is_named_at_once():
    text = "good.example\nbad..example\nhttps://x.example/\n1.2.3.4\ncom\n-x.example\n" + "a" * 64 + ".example\n"
    with pytest.raises(DomainListError) as caught:
        parse_text(text, source="list.txt")
    error = caught.value
    assert [n for n, _ in error.problems] == [2, 3, 4, 5, 6, 7]
    message = str(error)
    assert message.startswith("list.txt: 6 bad lines")
    for expected in ("line 2: 'bad..example' has an empty label", "line 3: 'https://x.example/' looks like a URL",
                     "line 4: '1.2.3.4' is an IP address", "line 5: 'com' is a single label",
                     "line 7:", "longer than 63"):
        assert expected in message


def test_umbrella_lines_with_the_wrong_shape():
    with pytest.raises(DomainListError) as caught:
        parse_text("1,a.example\n2,b.example,extra\nx,c.example\n", "umbrella")
    assert caught.value.problems == [(2, 'expected "rank,domain", found 3 fields: \'2,b.example,extra\''),
                                     (3, "rank 'x' is not a whole number")]


def test_not_utf8_and_missing_files(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"a.example\nb\xe9.example\n")
    with pytest.raises(DomainListError, match="line 2: not UTF-8 text"):
        read_domains(path)
    with pytest.raises(DomainListError, match="cannot read the file"):
        read_domains(tmp_path / "nothing.txt")


def test_long_error_lists_are_shortened():
    with pytest.raises(DomainListError) as caught:
        parse_text("bad..example\n" * 30)
    assert len(caught.value.problems) == 30 and "… and 10 more" in str(caught.value)


def test_limit_stops_reading_before_later_bad_lines():
    assert parse_text("a.example\nb.example\nbad..example\n", limit=2) == ["a.example", "b.example"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300),
       st.sampled_from(["auto", "plain", "umbrella"]))
def test_any_text_gives_domains_or_a_clear_error(text, format):
    try:
        domains = parse_text(text, format)
    except DomainListError as error:
        assert error.problems and all(isinstance(n, int) and n >= 1 and message for n, message in error.problems)
        assert f"line {error.problems[0][0]}:" in str(error)
        return
    assert len(domains) == len(set(domains))
    for domain in domains:  # every domain is already normal: reading it again changes nothing
        assert domain.isascii() and domain == domain.lower() and normalize_domain(domain) == domain


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True), min_size=2, max_size=5))
def test_valid_names_survive_both_formats(labels):
    name = ".".join(labels)
    if labels[-1].isdigit() or any(label.startswith("xn--") for label in labels):
        return  # numeric TLDs are refused; xn-- labels must also be valid IDNA
    assert parse_text(f"{name}\n", "plain") == [name]
    assert parse_text(f"1,{name.upper()}\n", "umbrella") == [name]

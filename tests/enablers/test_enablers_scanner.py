"""The scanner: concurrency is bounded, a hanging domain does not stall the run, an
interrupted scan resumes where it stopped, results land in Parquet with the row layout,
and the web probes are used when (and only when) they are installed."""

from __future__ import annotations

import asyncio
import sys
import types

import pyarrow.parquet as pq
import pytest

from fleet import spec


def _config(**overrides):
    from isoc.enablers.config import Resolver, ScanConfig

    # Fake probes ask nothing: a resolver that does not exist is fine.
    return ScanConfig(resolvers=(Resolver("192.0.2.53"),), **overrides)


def _scan(domains, out, config, **options):
    from isoc.enablers.scanner import scan_domains

    return asyncio.run(scan_domains(domains, out, config, **options))


def test_concurrency_is_bounded_by_the_configuration(tmp_path):
    state = {"now": 0, "most": 0}

    async def probes(domain, result, config):
        state["now"] += 1
        state["most"] = max(state["most"], state["now"])
        await asyncio.sleep(0.002)
        state["now"] -= 1

    domains = [f"d{i}.example" for i in range(300)]
    summary = _scan(domains, tmp_path, _config(concurrency=7), probes=probes)
    assert summary.measured == 300
    assert state["most"] == 7  # reached, never exceeded


def test_a_hanging_domain_does_not_stall_the_others(tmp_path):
    async def probes(domain, result, config):
        if domain == "hangs.example":
            await asyncio.Event().wait()  # forever
        if domain == "stubborn.example":  # ignores being cancelled for 2 s, then writes
            result.spf = "v=spf1 -all"
            for _ in range(20):
                try:
                    await asyncio.sleep(0.1)
                except asyncio.CancelledError:
                    pass
            result.spf = "written long after the deadline"
        result.caa = True

    domains = ["hangs.example", "stubborn.example"] + [f"d{i}.example" for i in range(50)]

    async def run():
        from isoc.enablers.scanner import scan_domains

        # the whole run must end: the deadline (0.3 s) plus the grace for cancellation
        return await asyncio.wait_for(scan_domains(domains, tmp_path, _config(concurrency=2, domain_deadline=0.3),
                                                   probes=probes), timeout=20)

    summary = asyncio.run(run())
    assert (summary.measured, summary.failed) == (52, 2)
    rows = {r["domain"]: r for r in pq.read_table(tmp_path).to_pylist()}
    assert rows["d49.example"]["caa"] is True
    for name in ("hangs.example", "stubborn.example"):
        assert "domain deadline of 0.3s" in rows[name]["errors"] and rows[name]["caa"] is None
    assert rows["stubborn.example"]["spf"] == "v=spf1 -all"  # what it had at the deadline


def test_a_crashing_probe_is_recorded_and_the_run_goes_on(tmp_path):
    async def probes(domain, result, config):
        if domain == "crash.example":
            raise RuntimeError("probe bug")
        result.caa = True

    summary = _scan(["crash.example", "ok.example"], tmp_path, _config(), probes=probes)
    assert (summary.measured, summary.failed) == (2, 1)
    rows = {r["domain"]: r for r in pq.read_table(tmp_path).to_pylist()}
    assert "RuntimeError: probe bug" in rows["crash.example"]["errors"] and rows["ok.example"]["caa"] is True


def test_an_interrupted_scan_resumes_without_measuring_twice(tmp_path):
    from isoc.enablers.scanner import measured_domains, scan_domains

    measured = []

    async def probes(domain, result, config):
        measured.append(domain)
        await asyncio.sleep(0.001)

    domains = [f"d{i:03d}.example" for i in range(60)]

    async def interrupted():
        task = asyncio.current_task()

        def progress(done, total):
            if done == 25:
                task.cancel()  # as Ctrl-C does to asyncio.run

        await scan_domains(domains, tmp_path, _config(concurrency=4), probes=probes, progress=progress, batch_size=10)

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(interrupted())
    first = measured_domains(tmp_path)
    assert 25 <= len(first) < 60  # every domain finished before the interruption is kept
    assert not list(tmp_path.glob("*partial*"))

    measured.clear()
    summary = _scan(domains, tmp_path, _config(concurrency=4), probes=probes)
    assert summary.skipped == len(first)
    assert sorted(measured) == sorted(set(domains) - first)  # only the rest
    table = pq.read_table(tmp_path)
    assert sorted(table.column("domain").to_pylist()) == domains  # each once

    again = _scan(domains, tmp_path, _config(), probes=probes)
    assert (again.measured, again.skipped, again.files) == (0, 60, [])


def test_batches_become_separate_files(tmp_path):
    async def probes(domain, result, config):
        pass

    summary = _scan([f"d{i}.example" for i in range(25)], tmp_path, _config(), probes=probes, batch_size=10)
    assert [pq.read_metadata(f).num_rows for f in summary.files] == [10, 10, 5]
    assert all(f.name.startswith(summary.scan) for f in summary.files)


def test_progress_is_reported_per_domain(tmp_path):
    seen = []

    async def probes(domain, result, config):
        pass

    _scan(["a.example", "b.example", "c.example"], tmp_path, _config(), probes=probes,
          progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.fixture
def web_module(monkeypatch):
    """Install a stand-in for isoc.enablers.probes_web (the web engineer's module)."""
    module = types.ModuleType("isoc.enablers.probes_web")
    monkeypatch.setitem(sys.modules, "isoc.enablers.probes_web", module)
    return module


def test_the_web_probes_run_beside_the_email_probes_when_installed(fleet, tmp_path, web_module):
    from isoc.enablers.scanner import scan

    calls = []

    async def probe_web(domain, result, config):
        calls.append((domain, list(result.a)))  # after the DNS probes: it has the addresses
        result.https_ok = True

    web_module.probe_web = probe_web
    scan(["secure.test"], tmp_path, fleet.scan_config())
    row = pq.read_table(tmp_path).to_pylist()[0]
    assert calls == [("secure.test", [fleet.v4("web")])]
    assert row["https_ok"] is True and "web" not in row["errors"] and row["smtp_starttls"] is True


def test_a_crashing_web_probe_leaves_the_email_results(fleet, tmp_path, web_module):
    from isoc.enablers.scanner import scan

    async def probe_web(domain, result, config):
        raise ValueError("nginx said no")

    web_module.probe_web = probe_web
    scan(["secure.test"], tmp_path, fleet.scan_config())
    row = pq.read_table(tmp_path).to_pylist()[0]
    assert "ValueError: nginx said no" in row["errors"] and row["dkim"] is True


def test_without_the_web_probes_the_result_says_so(fleet, tmp_path, monkeypatch):
    from isoc.enablers.scanner import scan

    monkeypatch.setitem(sys.modules, "isoc.enablers.probes_web", None)  # "not installed"
    scan(["secure.test"], tmp_path, fleet.scan_config())
    row = pq.read_table(tmp_path).to_pylist()[0]
    assert "probes_web is not installed" in row["errors"] and row["https_ok"] is None and row["dkim"] is True


def test_a_fleet_scan_writes_the_row_layout_and_meets_the_deadline(fleet, tmp_path, monkeypatch):
    """All fleet domains; the hanging mail server and the silent name server cannot hold the
    run past the domain deadline, and what was measured before it is kept."""
    from isoc.enablers.results import SCHEMA, from_row
    from isoc.enablers.scanner import scan

    monkeypatch.setitem(sys.modules, "isoc.enablers.probes_web", None)
    config = fleet.scan_config(timeout=10, retries=0, domain_deadline=1.5)
    summary = scan([d.name for d in spec.DOMAINS], tmp_path, config, scan="fleet")
    assert summary.measured == len(spec.DOMAINS)
    table = pq.read_table(summary.files[0])
    assert table.schema.equals(SCHEMA, check_metadata=False)
    results = {r["domain"]: from_row(r) for r in table.to_pylist()}
    broken = results["broken.test"]
    assert "deadline" in broken.errors and broken.smtp_starttls is None
    assert broken.spf_strict is False and broken.dnssec == "insecure"  # measured before the deadline
    assert "deadline" in results["lame.test"].errors
    secure = results["secure.test"]
    assert secure.scan == "fleet" and secure.resolver == str(fleet.resolver)
    assert (secure.dnssec_secure, secure.dkim, secure.smtp_starttls, secure.mta_sts_enforce) == (True, True, True, True)
    assert summary.failed == 2 and summary.unresolved >= 3  # lame, missing, bogus, badds


def test_each_mx_host_is_tried_once_per_scan(fleet, tmp_path, monkeypatch):
    """secure.test, bogus.test, stswrong.test and multimx.test share mx.secure.test: one
    SMTP session answers for all of them; every domain still gets the verdict."""
    from isoc.enablers import probes_dns
    from isoc.enablers.scanner import scan

    sessions = []
    real = probes_dns._starttls_once

    async def counting(ip, mx_name, config):
        sessions.append(mx_name)
        return await real(ip, mx_name, config)

    monkeypatch.setattr(probes_dns, "_starttls_once", counting)
    monkeypatch.setitem(sys.modules, "isoc.enablers.probes_web", None)
    names = ["secure.test", "bogus.test", "stswrong.test", "multimx.test"]
    scan(names, tmp_path, fleet.scan_config(concurrency=4))
    assert sorted(sessions) == ["mx.plain.test", "mx.secure.test"]
    rows = {r["domain"]: r for r in pq.read_table(tmp_path).to_pylist()}
    assert [rows[n]["smtp_starttls"] for n in names] == [True, True, True, False]

    sessions.clear()
    scan(names, tmp_path / "second", fleet.scan_config())  # a new scan asks again
    assert sorted(sessions) == ["mx.plain.test", "mx.secure.test"]


def test_a_scan_runs_where_an_event_loop_already_runs(tmp_path):
    """The synchronous ``scan`` inside a running loop (a notebook, or after Playwright's
    synchronous API in the same test process) measures as it does anywhere else."""
    from isoc.enablers.scanner import scan

    async def probes(domain, result, config):
        result.a = ["192.0.2.1"]

    async def caller():
        return scan(["a.example", "b.example"], tmp_path, _config(), probes=probes)

    summary = asyncio.run(caller())
    assert summary.measured == 2
    rows = pq.read_table(summary.files[0]).to_pylist()
    assert sorted(r["domain"] for r in rows) == ["a.example", "b.example"]
    assert {tuple(r["a"]) for r in rows} == {("192.0.2.1",)}


def test_a_file_half_written_by_a_killed_run_is_removed_when_the_scan_resumes(tmp_path):
    (tmp_path / ".scan-00000.parquet.partial").write_bytes(b"")  # killed while writing

    async def probes(domain, result, config):
        result.a = ["192.0.2.1"]

    summary = _scan(["a.example"], tmp_path, _config(), scan="scan", probes=probes)
    assert summary.measured == 1
    assert not list(tmp_path.glob("*partial*"))
    assert pq.read_table(tmp_path).column("domain").to_pylist() == ["a.example"]

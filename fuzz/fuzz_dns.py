"""Fuzz harness: DNS answers and the TXT/MX/CAA records the email probes read (isoc.enablers.probes_dns). What one input does: fuzz_targets.dns.

Run: python fuzz/fuzz_dns.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("dns")

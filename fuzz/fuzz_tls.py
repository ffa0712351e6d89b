"""Fuzz harness: server certificates as the web probe reads them (isoc.enablers.probes_web). What one input does: fuzz_targets.tls.

Run: python fuzz/fuzz_tls.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("tls")

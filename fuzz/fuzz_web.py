"""Fuzz harness: HSTS/Alt-Svc headers, home pages and certificate names (isoc.enablers.web_parsing). What one input does: fuzz_targets.web.

Run: python fuzz/fuzz_web.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("web")

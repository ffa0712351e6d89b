"""Fuzz harness: the MRT decoder (isoc.routing.mrt; the compiled _mrtdecode compared with it). What one input does: fuzz_targets.mrt.

Run: python fuzz/fuzz_mrt.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("mrt")

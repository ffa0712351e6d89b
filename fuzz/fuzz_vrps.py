"""Fuzz harness: VRP files (isoc.routing.vrps: rpki-client/Routinator JSON, CSV, compressed). What one input does: fuzz_targets.vrps.

Run: python fuzz/fuzz_vrps.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("vrps")

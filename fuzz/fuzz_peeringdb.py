"""Fuzz harness: PeeringDB dumps (isoc.infra.peeringdb). What one input does: fuzz_targets.peeringdb.

Run: python fuzz/fuzz_peeringdb.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("peeringdb")

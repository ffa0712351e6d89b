"""Fuzz harness: VERIS incident records (isoc.incidents.veris). What one input does: fuzz_targets.veris.

Run: python fuzz/fuzz_veris.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("veris")

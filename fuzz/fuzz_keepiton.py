"""Fuzz harness: the KeepItOn STOP workbook (isoc.shutdowns.keepiton). What one input does: fuzz_targets.keepiton.

Run: python fuzz/fuzz_keepiton.py [CORPUS_DIR] [-max_total_time=SECONDS] (see fuzz/harness.py).
"""

from harness import main

if __name__ == "__main__":
    main("keepiton")

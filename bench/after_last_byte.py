"""Runs a command that asks the fake server for the 1 MB answer, several times, and prints
the median milliseconds from the server's last byte to the command's exit, then min and max.
Usage: after_last_byte.py LAST_BYTE_FILE RUNS COMMAND..."""
import statistics
import subprocess
import sys
import time

last_byte_file, runs, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
gaps = []
for _ in range(runs):
    subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
    exited = time.monotonic()
    with open(last_byte_file) as f:
        gaps.append((exited - float(f.read())) * 1000)
print(f"{statistics.median(gaps):.1f} {min(gaps):.1f} {max(gaps):.1f}")

"""Runs a command that asks the fake server for an answer, several times, and prints the
median milliseconds from the server's last byte to the command's exit, then min and max.
With --pty the command's stdout is a 120-column pseudo-terminal (so tm renders Markdown),
and one more figure follows: the median milliseconds from the start to the first byte on
the terminal.
Usage: after_last_byte.py [--pty] LAST_BYTE_FILE RUNS COMMAND..."""
import fcntl
import os
import pty
import statistics
import struct
import subprocess
import sys
import termios
import threading
import time

on_pty = sys.argv[1] == "--pty"
last_byte_file, runs, command = sys.argv[1 + on_pty], int(sys.argv[2 + on_pty]), sys.argv[3 + on_pty:]


def run_on_pty():
    """Runs the command with its stdout on a pty, reading (and dropping) what it shows;
    returns the seconds from the start to the first byte shown."""
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    first = []

    def drain():
        while True:
            try:
                data = os.read(main, 65536)
            except OSError:
                return
            if not data:
                return
            if not first:
                first.append(time.monotonic())

    reader = threading.Thread(target=drain)
    reader.start()
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    started = time.monotonic()
    subprocess.run(command, stdout=terminal, stderr=subprocess.DEVNULL, env=env, check=True)
    exited = time.monotonic()
    os.close(terminal)
    reader.join()
    os.close(main)
    return exited, (first[0] - started) if first else float("nan")


gaps, firsts = [], []
for _ in range(runs):
    if on_pty:
        exited, first = run_on_pty()
        firsts.append(first * 1000)
    else:
        subprocess.run(command, stdout=subprocess.DEVNULL, check=True)
        exited = time.monotonic()
    with open(last_byte_file) as f:
        gaps.append((exited - float(f.read())) * 1000)
figures = [statistics.median(gaps), min(gaps), max(gaps)]
if on_pty:
    figures.append(statistics.median(firsts))
print(" ".join(f"{figure:.1f}" for figure in figures))

"""Machine instructions per resident message, counted by valgrind: a figure
that moves far less with the machine's load than timings do, for comparing two
versions of the resident path. It still moves by up to about 1% on a busy
machine (how many messages share a group commit depends on timing): compare
figures taken one after the other on a quiet machine.

Runs `bench/service.py` under `valgrind --tool=callgrind` twice, with 1 and 3
rounds of 50 residents, and prints the difference per message: start-up and
the first reading of the flow cancel out. Needs valgrind (Debian's package).
Each run takes one to three minutes.

    PYTHONPATH=. python bench/instructions.py [--residents 50]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.deployment import DEMO_SCRIPT
from bot.simulation import read_script

SERVICE = Path(__file__).with_name("service.py")


def instructions(rounds: int, residents: int) -> int:
    """What valgrind counted for one run of bench/service.py."""
    with tempfile.TemporaryDirectory() as folder:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={Path(folder) / 'callgrind.out'}",
            sys.executable,
            str(SERVICE),
            "--residents",
            str(residents),
            "--rounds",
            str(rounds),
            "--json",
        ]
        # The same hashes in every run: set and dict layouts, so instructions, repeat.
        environment = {**os.environ, "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, capture_output=True, text=True, env=environment)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"bench/service.py failed under valgrind:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    one, three = instructions(1, args.residents), instructions(3, args.residents)
    messages = 2 * args.residents * len(read_script(DEMO_SCRIPT))  # two more rounds
    print(f"instructions per message: {(three - one) // messages:,}")
    print(f"(1 round: {one:,}; 3 rounds: {three:,})")


if __name__ == "__main__":
    main()

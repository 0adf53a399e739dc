"""The printable invitation slips (`/codes N`): seconds and bytes for N codes.

    python -m bench.code_sheet                  # 50, 200 and 1,000 codes (the /codes maximum)
    python -m bench.code_sheet --codes 1000

The sheet is built in a worker thread by the bot (asyncio.to_thread), so this is the time a
committee member waits for the PDF, not time the event loop is blocked. Most of it is segno
choosing the best QR mask for each code. Figures only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import time

from campaign import verification as rules
from conversations.code_sheet import code_sheet_pdf

TITLE = "Budżet obywatelski Łódź 2030"
INSTRUCTIONS = "Zeskanuj ten kod aparatem telefonu albo wyślij /start do bota i wpisz kod."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, nargs="*", default=[50, 200, 1000])
    args = parser.parse_args()
    for count in args.codes:
        codes = [rules.new_code() for _ in range(count)]
        slips = [(rules.display_code(code), f"https://t.me/pbbot_bot?start={code}") for code in codes]
        started = time.perf_counter()
        pdf = code_sheet_pdf(slips, title=TITLE, instructions=INSTRUCTIONS)
        seconds = time.perf_counter() - started
        print(
            f"{count:>5} codes: {seconds:6.2f} s, {len(pdf) / 1024:7.0f} kB ({len(pdf) / count / 1024:.1f} kB a slip)"
        )


if __name__ == "__main__":
    main()

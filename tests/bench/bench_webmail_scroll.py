"""Scrolling the webmail's message list over a 100,000-message Inbox, in a real Chromium.

Run `PYTHONPATH=. .venv/bin/python tests/bench/bench_webmail_scroll.py [--messages N]`
(not collected by pytest). Seeds a temporary SQLite data directory as bench_email.py
does (a few hundred messages through EmailIngest, the rest their copies bulk-inserted
through the store), for an account the `sealbox` CLI made; then starts `sealbox serve`,
signs in with Debian's /usr/bin/chromium driven by Playwright and, in the page:

- scrolls the list programmatically, one step per animation frame, through a long
  stretch: frame times (requestAnimationFrame deltas), long tasks (PerformanceObserver),
  frames that showed blank rows (in view but not loaded yet);
- jumps deep (scrollTop to rows 50,000 and 90,000 of 100,000, then back to the top): the time
  until the rows at that position are drawn;
- counts the list's DOM nodes all along: virtual scrolling must keep it bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_browser import seeded_server, signed_in_page
from bench_email import seed
from support.cli_accounts import CliAccount
from support.jmap_client import Client

from api.config import load_settings
from api.core.unlocked import UnlockedAccount
from api.services import build_services
from crypto.secret_value import SecretStr

DOMAIN = "bench-scroll.example"

# One step a frame; returns frame deltas, long tasks, blank frames and the most nodes.
_SCROLL = """async ({ frames, step }) => {
  const pane = document.querySelector("section.pane-list");
  const ul = pane.querySelector("ul.messages");
  performance.clearResourceTimings();
  const longTasks = [];
  const observer = new PerformanceObserver((l) => {
    for (const entry of l.getEntries()) longTasks.push(entry.duration);
  });
  observer.observe({ type: "longtask" });
  const deltas = [];
  let blank = 0, nodes = 0, rows = 0;
  let last = await new Promise((r) => requestAnimationFrame(r));
  for (let f = 0; f < frames; f += 1) {
    pane.scrollTop += step;
    const now = await new Promise((r) => requestAnimationFrame(r));
    deltas.push(now - last);
    last = now;
    nodes = Math.max(nodes, ul.getElementsByTagName("*").length);
    rows = Math.max(rows, ul.children.length);
    const top = pane.getBoundingClientRect().top + pane.clientHeight / 2;
    const middle = document.elementFromPoint(pane.getBoundingClientRect().left + 40, top);
    if (!middle || !middle.closest("li[data-id]")) blank += 1;
  }
  await new Promise((r) => setTimeout(r, 100));
  observer.disconnect();
  const api = performance.getEntriesByType("resource").filter((e) => e.name.includes("/jmap/api"));
  performance.clearResourceTimings();
  const requests = api.map((e) => e.duration);
  return { deltas, longTasks, blank, nodes, rows, requests };
}"""

# Jumps to row `row`; resolves with the ms until a row at that position is drawn.
_JUMP = """async ({ row, timeout, height }) => {
  const pane = document.querySelector("section.pane-list");
  const ul = pane.querySelector("ul.messages");
  const top = ul.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
  const started = performance.now();
  pane.scrollTop = top + row * height;
  let nodes = 0;
  while (performance.now() - started < timeout) {
    await new Promise((r) => requestAnimationFrame(r));
    nodes = Math.max(nodes, ul.getElementsByTagName("*").length);
    const at = [...ul.children].map((li) => Number(li.getAttribute("aria-posinset")));
    if (at.some((p) => Math.abs(p - 1 - row) < 20)) {
      return { ms: performance.now() - started, nodes, drawn: true };
    }
  }
  const rows = ul.children.length;
  return { ms: performance.now() - started, nodes, drawn: false, rows };
}"""


async def _seed(env: dict[str, str], account: CliAccount, messages: int) -> float:
    services = build_services(load_settings(None, {}, environ=env))
    started = time.perf_counter()
    try:
        found, master_key = await services.login.verify_password(
            account.address, SecretStr(account.password), "cli"
        )
        unlocked = UnlockedAccount(
            found.id, found.address, master_key, wrapped_private_key=found.wrapped_private_key
        )
        client = Client(services, unlocked)
        await seed(client, await client.mailbox("inbox"), random.Random(8621), messages)
    finally:
        await services.close()
    return time.perf_counter() - started


def _frames(label: str, got: dict[str, Any]) -> None:
    deltas = sorted(got["deltas"])
    p95 = deltas[int(len(deltas) * 0.95) - 1]
    over = sum(1 for d in deltas if d > 50)
    print(
        f"{label}: {len(deltas)} frames, frame time median {statistics.median(deltas):.1f} ms, "
        f"p95 {p95:.1f}, max {deltas[-1]:.1f}; {over} frames over 50 ms; "
        f"long tasks {len(got['longTasks'])} (longest {max(got['longTasks'], default=0):.0f} ms); "
        f"blank frames {got['blank']}; list DOM at most {got['nodes']} nodes in {got['rows']} rows"
    )
    if got["requests"]:
        requests = sorted(got["requests"])
        print(
            f"  {len(requests)} JMAP requests meanwhile, "
            f"median {statistics.median(requests):.0f} ms, max {requests[-1]:.0f}"
        )


def _browse(base_url: str, account: CliAccount, frames: int, deep: list[int]) -> None:
    with signed_in_page(base_url, account, 180_000) as page:
        page.locator("button.message").first.wait_for()
        height = page.evaluate("document.querySelector('ul.messages li').offsetHeight")
        _frames(
            "slow scroll (2 rows a frame)", page.evaluate(_SCROLL, {"frames": frames, "step": 184})
        )
        _frames(
            "fast scroll (20 rows a frame)",
            page.evaluate(_SCROLL, {"frames": frames, "step": 1840}),
        )
        for row in [*deep, 0]:
            got = page.evaluate(_JUMP, {"row": row, "timeout": 120_000, "height": height})
            if got["drawn"]:
                print(
                    f"jump to row {row:,}: drawn in {got['ms']:.0f} ms; "
                    f"list DOM at most {got['nodes']} nodes"
                )
            else:
                print(
                    f"jump to row {row:,}: NOT drawn in {got['ms'] / 1000:.0f} s "
                    f"({got['rows']} rows in the DOM)"
                )
        _frames(
            "scroll after the jumps", page.evaluate(_SCROLL, {"frames": frames // 2, "step": 184})
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    deep = [args.messages // 2, args.messages * 9 // 10]

    def prepare(env: dict[str, str], account: CliAccount) -> None:
        seconds = asyncio.run(_seed(env, account, args.messages))
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"seeded {args.messages:,} messages in {seconds:.0f} s; "
            f"load average {load}; {os.cpu_count()} CPUs"
        )

    with seeded_server("bench-scroll-", DOMAIN, prepare) as (base_url, account):
        _browse(base_url, account, args.frames, deep)


if __name__ == "__main__":
    main()

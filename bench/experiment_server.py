"""`joinedup serve` with one change patched in, to measure what a recommended product change would buy
before anyone makes it. Bench-only: the product is not changed.

    JOINEDUP_BENCH_VARIANT=name[,name...] python -m bench.experiment_server    (same environment as joinedup serve)

Variants:
  as-is        nothing patched (the control)
  no-deliver   no delivery at all: deliver_soon does nothing and the deliverer does not start (the ack path
               alone)
  no-ping      PostgreSQL engine without pool_pre_ping (no SELECT 1 before every transaction)
  no-permalink the permalink is built from the channel and ts instead of a chat.getPermalink call
"""
from __future__ import annotations

import os
import sys


def apply(variants: set[str]) -> None:
    if "no-deliver" in variants:
        from bot.processes.delivery import Deliverer
        from bot.services.outbox import Outbox

        Outbox.deliver_soon = lambda self, message_ids: None  # type: ignore[method-assign]
        Deliverer.start = lambda self: None  # type: ignore[method-assign]
    if "no-ping" in variants:
        import storage.db

        real = storage.db.create_engine

        def create_engine(url, **kw):  # type: ignore[no-untyped-def]
            kw.pop("pool_pre_ping", None)
            return real(url, **kw)

        storage.db.create_engine = create_engine  # type: ignore[assignment]
    if "no-permalink" in variants:
        from bot.services.outbox import Outbox

        def permalink(self, channel: str, ts: str) -> str:  # type: ignore[no-untyped-def]
            return f"https://joinedup-standin.slack.com/archives/{channel}/p{ts.replace('.', '')}"

        Outbox._permalink = permalink  # type: ignore[method-assign]


def main() -> int:
    variants = {v.strip() for v in os.environ.get("JOINEDUP_BENCH_VARIANT", "").split(",") if v.strip()}
    unknown = variants - {"as-is", "no-deliver", "no-ping", "no-permalink"}
    if unknown:
        print(f"unknown variant(s): {sorted(unknown)}", file=sys.stderr)
        return 2
    apply(variants)
    from bot.cli import main as joinedup

    return joinedup(["serve"])


if __name__ == "__main__":
    raise SystemExit(main())

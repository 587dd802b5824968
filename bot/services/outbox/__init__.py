"""Every message Joined Up owes Slack is a row first, and delivered from that row.

`outbox` owes, claims and records what Slack said; `sending` talks to Slack; `statements` holds the SQL.
"""
from bot.services.outbox.outbox import DUE_LIMIT, Outbox, Owe
from bot.services.outbox.sending import FileShare, Rendered, fix_for

__all__ = ["DUE_LIMIT", "FileShare", "Outbox", "Owe", "Rendered", "fix_for"]

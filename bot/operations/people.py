"""People's names for what the command line prints (exports, audit trails): from Slack, through the directory."""
from __future__ import annotations

from bot.domain.clock import SystemClock
from bot.domain.config import Partnership, Settings
from bot.services.directory import Directory
from bot.services.readable import Names


def names_from_slack(settings: Settings, partnership: Partnership | None) -> Names:
    """Names looked up with users.info when SLACK_BOT_TOKEN is set; otherwise IDs alone, and the note says why."""
    if not settings.bot_token:
        return Names(None, why_not="SLACK_BOT_TOKEN is not set")
    from bot.edge.client import slack_client

    directory = Directory(client=slack_client(settings.bot_token, settings.slack_api_url),
                          partnership=partnership or Partnership(name=""), clock=SystemClock())
    return Names(directory)

"""The composition root: the Bolt app, its middleware and every handler, built around the services it is given."""
from __future__ import annotations

import json
import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_bolt.error import BoltUnhandledRequestError
from slack_sdk.webhook import WebhookClient

from bot.blocks.messages import NOT_SAVED, problem_view
from bot.edge.client import KeepAliveWebClient, KeptRespond
from bot.i18n import Voice, _, using
from bot.edge.payloads import SLASH_COMMAND, payload_kind, shape_problem, where
from bot.services.wiring import Services
from handlers import actions, commands, events, shortcuts, views

log = logging.getLogger(__name__)


def create_app(services: Services, *, signing_secret: str | None, listener_executor: Executor | None = None,
               token_verification: bool = True) -> App:
    """A Bolt app whose listeners answer inside the request and hand slow work to `services.later`."""

    def refuse_misshapen(body: dict[str, Any], next: Any) -> BoltResponse | None:
        # Before Bolt's own middleware and every listener, which read the fields Slack always sends.
        problem = shape_problem(body)
        if problem is None:
            return next()
        log.warning("%s request refused, not shaped as Slack sends it: %s", payload_kind(body), problem)
        return BoltResponse(status=400, body="")

    app = App(
        client=services.client,
        signing_secret=signing_secret or "",
        # Listeners run in the request thread and only ack, validate and save; Slack calls go to the work pool.
        process_before_response=True,
        token_verification_enabled=token_verification,
        # bot/edge/web.py checks every request's signature before Bolt parses it; a second check here would only cost.
        request_verification_enabled=False,
        listener_executor=listener_executor,
        before_authorize=refuse_misshapen,
        # A request no listener takes comes to `unexpected` below rather than to Bolt's warning, which is
        # several lines long and quotes parts of the body.
        raise_error_for_unhandled_request=True,
    )
    if isinstance(services.client, KeepAliveWebClient):
        connections = services.client.connections

        @app.middleware
        def use_kept_connections(context: BoltContext, next: Any) -> BoltResponse | None:
            # Bolt gives each request a new WebClient and Respond, which open a new connection to Slack for
            # every call: listeners get the services' client and a respond() that share its kept connections.
            context["client"] = services.client
            if context.response_url:
                context["respond"] = KeptRespond(response_url=context.response_url, connections=connections)
            return next()

    @app.middleware
    def handle_each_event_once(body: dict[str, Any], next: Any) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id and not services.events.first_time(event_id):
            return BoltResponse(status=200, body="")  # a retry of something already handled
        return next()

    # Everything a listener says to the person who asked is in their language (bot/services/languages.py). Bolt
    # runs the listeners after its global middleware has returned, so the voice is set around the whole dispatch.
    dispatch = app.dispatch

    def dispatch_in_their_language(req: BoltRequest) -> BoltResponse:
        user = req.context.user_id
        with using(services.languages.voice_of(user if isinstance(user, str) else None)):
            return dispatch(req)

    app.dispatch = dispatch_in_their_language  # type: ignore[method-assign]

    commands.register(app, services)
    shortcuts.register(app, services)
    views.register(app, services)
    actions.register(app, services)
    events.register(app, services)

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """One line in the log for each failure, naming the exception's type and where it was raised: never its
        message or traceback, which may carry a database statement's parameters or what someone typed."""
        kind = payload_kind(body)
        if isinstance(error, BoltUnhandledRequestError):
            # A retired button, a form closed, an event Joined Up does not use: nothing to do, and nothing wrong.
            log.info("%s request with no listener for it: nothing to do", kind)
            return BoltResponse(status=200, body="")
        problem = shape_problem(body)
        if problem is not None:  # Bolt's own middleware stumbled on it before refuse_misshapen could refuse it
            log.warning("%s request refused, not shaped as Slack sends it: %s (%s at %s)", kind, problem,
                        type(error).__name__, where(error))
            return BoltResponse(status=400, body="")
        log.error("%s request failed in its listener: %s at %s", kind, type(error).__name__, where(error))
        with using(_voice_of(services, body)):  # told in their language, as the listener spoke
            return _tell_failure(kind, body)

    def _tell_failure(kind: str, body: dict[str, Any]) -> BoltResponse:
        if kind == "view_submission":
            # Pushed on top of the form, so closing it returns the practitioner to their text, intact.
            return _json(200, {"response_action": "push", "view": problem_view()})
        if kind == SLASH_COMMAND:
            return _json(200, {"response_type": "ephemeral", "text": _(NOT_SAVED)})
        if kind in ("block_actions", "message_action") and isinstance(body.get("response_url"), str):
            # A click is answered only through its response_url: without this, nothing stored looks like done.
            services.later(_tell_not_saved, body["response_url"], services.client)
        elif kind in ("block_actions", "shortcut") and (body.get("view") or {}).get("type") != "modal":
            # App Home and the global shortcut give no response_url: the person is told in Joined Up's DM.
            services.later(services.client.chat_postMessage, channel=body["user"]["id"], text=_(NOT_SAVED))
        return BoltResponse(status=200, body="")

    return app


def _tell_not_saved(response_url: str, client: Any) -> None:
    connections = getattr(client, "connections", None)
    if connections is not None:
        KeptRespond(response_url=response_url, connections=connections)(
            text=_(NOT_SAVED), response_type="ephemeral", replace_original=False)
    else:
        WebhookClient(response_url).send(text=_(NOT_SAVED), response_type="ephemeral", replace_original=False)


def _voice_of(services: Services, body: dict[str, Any]) -> Voice:
    """Who asked (a command's user_id, an interaction's user), in their language; the partnership's, whatever fails."""
    user = body.get("user_id") or body.get("user")
    if isinstance(user, dict):
        user = user.get("id")
    try:
        return services.languages.voice_of(user if isinstance(user, str) else None)
    except Exception:  # noqa: BLE001 - already answering a failure: it is told, in the partnership's language
        return services.languages.voice_of(None)


def _json(status: int, body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=status, body=json.dumps(body), headers={"content-type": "application/json;charset=utf-8"})

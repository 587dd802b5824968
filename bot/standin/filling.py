"""A person filling in a form that changes as they answer, over real HTTP, as Slack carries it.

A choice in a field that dispatches its actions (`dispatch_action`) reaches the app as Slack sends it: a
block_actions payload with the whole view state. The app may then update the view, and the person carries on in
the view as it now is. A button in the form that shows more fields is pressed when an answer needs a field the
form does not show. Used by `joinedup demo`, the benchmarks and the tests.
"""
from __future__ import annotations

import time
from typing import Any, Callable

from bot.standin.signed_requests import APP_ID, TEAM, Reply, SlackSender, fill, user_object

ViewById = Callable[[str], dict[str, Any]]
MOST_STEPS = 12  # more changes than any form needs: past this the form is changing for ever


def view_action(view: dict[str, Any], values: dict[str, Any], action: dict[str, Any], *, user: str,
                trigger_id: str) -> dict[str, Any]:
    """What Slack sends for a choice or a click inside an open modal: the view with its whole state."""
    return {
        "type": "block_actions", "user": user_object(user), "api_app_id": APP_ID,
        "token": "verification-token-unused", "team": TEAM, "enterprise": None, "is_enterprise_install": False,
        "container": {"type": "view", "view_id": view["id"]}, "trigger_id": trigger_id,
        "view": {**view, "state": {"values": values}},
        "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
    }


def choice_action(block: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The block_actions entry for a change to this input block's element, as `values` now hold it."""
    element = block["element"]
    return {**values[block["block_id"]][element["action_id"]], "action_id": element["action_id"],
            "block_id": block["block_id"]}


def _initial(view: dict[str, Any]) -> dict[str, Any]:
    return fill(view, {})


def _buttons(view: dict[str, Any]) -> list[tuple[str | None, dict[str, Any]]]:
    found = []
    for block in view.get("blocks", []):
        candidates = [block.get("accessory")] if block.get("type") == "section" else block.get("elements", [])
        if block.get("type") in ("section", "actions"):
            found += [(block.get("block_id"), e) for e in candidates if isinstance(e, dict) and e.get("type") == "button"]
    return found


class FormFiller:
    """Fills in one person's form through the app, reading each new version of the view from Slack (the stand-in)."""

    def __init__(self, sender: SlackSender, view_by_id: ViewById) -> None:
        self.sender, self.view_by_id = sender, view_by_id

    def fill_in(self, view: dict[str, Any], answers: dict[str, Any], *, user: str,
                every_choice: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
        """Answer the form: the view as it ends up, and its state. A dispatching choice is sent to the app when an
        answer needs a field the form does not show yet, or (`every_choice`) each time, as a person's choices are;
        buttons that show more fields are pressed when the answers still need one."""
        pressed: set[str] = set()
        sent: list[tuple[str, Any]] = []  # each choice once: one the form cannot show would be sent for ever
        for _ in range(MOST_STEPS):
            values = fill(view, answers)
            inputs = {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}
            wanted = [key for key in answers if key not in inputs]
            before = _initial(view)
            changes = [b for key, b in inputs.items() if b.get("dispatch_action") and key in answers
                       and values[key] != before[key] and (key, values[key]) not in sent]
            if changes and (every_choice or wanted):
                sent.append((changes[0]["block_id"], values[changes[0]["block_id"]]))
                self._act(view, values, choice_action(changes[0], values), user)
            elif wanted and (button := next(((block_id, b) for block_id, b in _buttons(view)
                                            if b.get("action_id") not in pressed), None)):
                block_id, element = button
                pressed.add(element.get("action_id"))
                self._act(view, values, {"type": "button", "action_id": element.get("action_id"),
                                         "block_id": block_id or "", "value": element.get("value"),
                                         "text": element.get("text")}, user)
            else:
                return view, values
            view = self.view_by_id(view["id"])
        raise AssertionError("the form kept changing as it was filled in")

    def submit(self, view: dict[str, Any], answers: dict[str, Any], *, user: str,
               every_choice: bool = False) -> Reply:
        """Fill in and send the form. If it comes back changed with a field the answers fill (the reason for
        identifiers, once some are found), fill that in too and send it again, as a person would."""
        for _ in range(3):
            view, values = self.fill_in(view, answers, user=user, every_choice=every_choice)
            reply = self.sender.submit(view, values, user=user)
            changed = reply.json() if reply.status == 200 and reply.body.startswith("{") else None
            new = changed.get("view") if isinstance(changed, dict) and changed.get("response_action") == "update" else None
            if not (isinstance(new, dict) and new.get("callback_id") == view.get("callback_id")):
                return reply
            shown = {b.get("block_id") for b in view["blocks"]}
            if not any(b.get("block_id") in answers and b.get("block_id") not in shown for b in new["blocks"]):
                return reply
            # Slack now shows the view the app answered with, under the same id.
            view = {**new, "id": view["id"], "hash": view.get("hash")}
        return reply

    def _act(self, view: dict[str, Any], values: dict[str, Any], action: dict[str, Any], user: str) -> None:
        reply = self.sender.interaction(view_action(view, values, action, user=user,
                                                    trigger_id=self.sender.new_trigger(user)))
        if reply.status != 200:
            raise AssertionError(f"the form's {action['action_id']} was answered {reply.status}: {reply.body[:200]}")

"""Block Kit as Slack checks it, per surface (message, modal, home).

slack_sdk's models encode many of Slack's limits, so each block is first parsed and serialised by them
(`Block.parse(...).to_dict()` validates every nested object). Where they are silent, the rules below come from
Slack's Block Kit reference; each names its page:
- blocks per surface and where each block may appear: https://docs.slack.dev/reference/block-kit/blocks
- elements each block takes: https://docs.slack.dev/reference/block-kit/blocks/actions-block,
  .../section-block, .../input-block, .../context-block
- text objects (1–3000 characters; `emoji` only on plain_text, `verbatim` only on mrkdwn; where only plain_text
  is allowed): https://docs.slack.dev/reference/block-kit/composition-objects/text-object
- `action_id` unique within its block, `block_id` unique within its message or view:
  https://docs.slack.dev/reference/block-kit/block-elements/button-element, .../blocks/section-block
- options (text 75, value 150, description 75; ≤ 100 in selects, ≤ 10 in radio buttons and checkboxes; initial
  options among the options): https://docs.slack.dev/reference/block-kit/composition-objects/option-object,
  .../block-elements/select-menu-element, .../radio-button-group-element, .../checkboxes-element
- plain_text_input lengths and dispatch_action_config:
  https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element,
  .../composition-objects/dispatch-action-configuration-object
Problems are reported as Slack reports them: "[ERROR] <what> [json-pointer:<where>]".
"""
from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MESSAGE, MODAL, HOME = "message", "modal", "home"
_EVERYWHERE = {"section", "divider", "header", "image", "actions", "context", "rich_text", "video"}
BLOCKS = {MESSAGE: _EVERYWHERE | {"markdown", "table"}, MODAL: _EVERYWHERE | {"input"}, HOME: _EVERYWHERE | {"input"}}
MAX_BLOCKS = {MESSAGE: 50, MODAL: 100, HOME: 100}
_SELECTS = {f"{multi}{kind}_select" for multi in ("", "multi_")
            for kind in ("static", "external", "users", "conversations", "channels")}
_CHOICES = {"button", "checkboxes", "datepicker", "overflow", "radio_buttons", "timepicker", "workflow_button"}
ACCESSORIES = _CHOICES | _SELECTS | {"image"}
ACTIONS = _CHOICES | _SELECTS | {"datetimepicker"}
INPUTS = _SELECTS | {"checkboxes", "datepicker", "datetimepicker", "email_text_input", "file_input", "number_input",
                     "plain_text_input", "radio_buttons", "rich_text_input", "timepicker", "url_text_input"}
_TEXT_TYPES = {"plain_text", "mrkdwn"}
_PLAIN_ONLY = {  # where a text object must be plain_text, by the key that holds it
    "header": ("text",), "input": ("label", "hint"), "button": ("text",), "image": ("title",),
    "option_group": ("label",), "confirm": ("title", "confirm", "deny"), "placeholder": ("placeholder",)}
_FEW_OPTIONS = {"radio_buttons": 10, "checkboxes": 10}
_TRIGGERS = {"on_enter_pressed", "on_character_entered"}


def block_problems(blocks: Any, surface: str, where: str) -> list[str]:
    """Everything Slack would refuse in these blocks on this surface; empty when it would take them."""
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        return [f"[ERROR] must be an array of objects [json-pointer:{where}]"]
    problems: list[str] = []
    if len(blocks) > MAX_BLOCKS[surface]:
        problems.append(f"[ERROR] no more than {MAX_BLOCKS[surface]} items allowed [json-pointer:{where}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{where}/{i}"
        kind = block.get("type")
        if kind not in BLOCKS[surface]:
            problems.append(f"[ERROR] unsupported type: {kind} [json-pointer:{at}/type]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            if block_id in block_ids:
                problems.append(f"[ERROR] block_id must be unique: {block_id} [json-pointer:{at}/block_id]")
            block_ids.add(block_id)
        problems += _block(block, kind, at) or _sdk(block, at)
    return problems


def _sdk(block: dict[str, Any], at: str) -> list[str]:
    try:
        Block.parse(block).to_dict()  # type: ignore[union-attr]
    except SlackObjectFormationError as error:
        return [f"[ERROR] {error} [json-pointer:{at}]"]
    return []


def _block(block: dict[str, Any], kind: str, at: str) -> list[str]:
    problems = _texts_plain_only(block, kind, at)
    if kind == "section":
        if block.get("text") is None and not block.get("fields"):
            problems.append(f"[ERROR] must provide either text or fields [json-pointer:{at}]")
        if block.get("text") is not None:
            problems += _text(block["text"], f"{at}/text")
        for j, field in enumerate(block.get("fields") or []):
            problems += _text(field, f"{at}/fields/{j}", limit=2000)
        if block.get("accessory") is not None:
            problems += _elements([block["accessory"]], ACCESSORIES, f"{at}/accessory", single=True)
    elif kind == "header":
        problems += _text(block.get("text"), f"{at}/text", limit=150)
    elif kind == "context":
        for j, element in enumerate(block.get("elements") or []):
            if isinstance(element, dict) and element.get("type") in _TEXT_TYPES:
                problems += _text(element, f"{at}/elements/{j}")
            elif not (isinstance(element, dict) and element.get("type") == "image"):
                problems.append(f"[ERROR] unsupported type [json-pointer:{at}/elements/{j}/type]")
    elif kind == "actions":
        problems += _elements(block.get("elements") or [], ACTIONS, f"{at}/elements")
    elif kind == "input":
        problems += _text(block.get("label"), f"{at}/label", limit=2000)
        if block.get("hint") is not None:
            problems += _text(block["hint"], f"{at}/hint", limit=2000)
        problems += _elements([block.get("element")], INPUTS, f"{at}/element", single=True)
    return problems


def _texts_plain_only(obj: dict[str, Any], kind: str, at: str) -> list[str]:
    return [f"[ERROR] must be a plain_text object [json-pointer:{at}/{key}]"
            for key in _PLAIN_ONLY.get(kind, ()) if isinstance(obj.get(key), dict) and obj[key].get("type") != "plain_text"]


def _text(obj: Any, at: str, *, limit: int = 3000) -> list[str]:
    if not isinstance(obj, dict) or obj.get("type") not in _TEXT_TYPES:
        return [f"[ERROR] must be a text object [json-pointer:{at}]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"[ERROR] must be more than 0 characters [json-pointer:{at}/text]"]
    problems = []
    if len(text) > limit:
        problems.append(f"[ERROR] must be less than {limit + 1} characters [json-pointer:{at}/text]")
    if "emoji" in obj and obj["type"] != "plain_text":
        problems.append(f"[ERROR] invalid additional property: emoji [json-pointer:{at}]")
    if "verbatim" in obj and obj["type"] != "mrkdwn":
        problems.append(f"[ERROR] invalid additional property: verbatim [json-pointer:{at}]")
    return problems


def _elements(elements: list[Any], allowed: set[str], at: str, *, single: bool = False) -> list[str]:
    problems: list[str] = []
    action_ids: set[str] = set()
    for j, element in enumerate(elements):
        where = at if single else f"{at}/{j}"
        kind = element.get("type") if isinstance(element, dict) else None
        if kind not in allowed:
            problems.append(f"[ERROR] unsupported type: {kind} [json-pointer:{where}/type]")
            continue
        action_id = element.get("action_id")
        if action_id is not None:
            if action_id in action_ids:
                problems.append(f"[ERROR] action_id must be unique in its block: {action_id} "
                                f"[json-pointer:{where}/action_id]")
            action_ids.add(action_id)
        problems += _element(element, kind, where)
    return problems


def _element(element: dict[str, Any], kind: str, at: str) -> list[str]:
    problems = _texts_plain_only(element, kind, at) + _texts_plain_only(element, "placeholder", at)
    if isinstance(element.get("confirm"), dict):
        problems += _texts_plain_only(element["confirm"], "confirm", f"{at}/confirm")
    if kind == "button" and element.get("style") not in (None, "primary", "danger"):
        problems.append(f"[ERROR] must be one of primary, danger [json-pointer:{at}/style]")
    if "options" in element or "option_groups" in element:
        problems += _options(element, kind, at)
    if kind == "plain_text_input":
        problems += _text_input(element, at)
    return problems


def _options(element: dict[str, Any], kind: str, at: str) -> list[str]:
    problems = []
    options = list(element.get("options") or [])
    if "options" in element and "option_groups" in element:
        problems.append(f"[ERROR] must provide either options or option_groups, not both [json-pointer:{at}]")
    for g, group in enumerate(element.get("option_groups") or []):
        problems += _texts_plain_only(group, "option_group", f"{at}/option_groups/{g}")
        options += group.get("options") or []
    limit = _FEW_OPTIONS.get(kind, 100)
    if len(element.get("options") or []) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{at}/options]")
    plain = kind not in _FEW_OPTIONS  # mrkdwn is allowed only in radio buttons' and checkboxes' options
    for j, option in enumerate(options):
        where = f"{at}/options/{j}"
        if plain and isinstance(option.get("text"), dict) and option["text"].get("type") != "plain_text":
            problems.append(f"[ERROR] must be a plain_text object [json-pointer:{where}/text]")
        problems += _text(option.get("text"), f"{where}/text", limit=75)
        if option.get("description") is not None:
            problems += _text(option["description"], f"{where}/description", limit=75)
        if not isinstance(option.get("value"), str) or len(option["value"]) > 150:
            problems.append(f"[ERROR] must be a string of at most 150 characters [json-pointer:{where}/value]")
    initial = element.get("initial_options") or ([element["initial_option"]] if "initial_option" in element else [])
    for chosen in initial:
        if chosen not in options:
            problems.append(f"[ERROR] initial options must match an option [json-pointer:{at}/initial_option]")
    return problems


def _text_input(element: dict[str, Any], at: str) -> list[str]:
    problems = []
    longest, shortest = element.get("max_length", 3000), element.get("min_length", 0)
    if not (isinstance(longest, int) and 1 <= longest <= 3000 and isinstance(shortest, int) and 0 <= shortest <= 3000):
        problems.append(f"[ERROR] min_length must be 0–3000 and max_length 1–3000 [json-pointer:{at}]")
    elif len(element.get("initial_value") or "") > longest:
        problems.append(f"[ERROR] initial_value is longer than max_length [json-pointer:{at}/initial_value]")
    triggers = (element.get("dispatch_action_config") or {}).get("trigger_actions_on", [])
    if not set(triggers) <= _TRIGGERS:
        problems.append(f"[ERROR] must be on_enter_pressed or on_character_entered "
                        f"[json-pointer:{at}/dispatch_action_config/trigger_actions_on]")
    return problems

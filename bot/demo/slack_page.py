"""Whole pages around bot/demo/slack_html.py's blocks: a Slack window with its sidebar, showing a channel's or a
direct message's messages, a modal over it, or the app's Home tab. Pure and self-contained: one HTML string with
its own styles, the machine's own fonts, no scripts, images or network."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.demo.slack_html import PLAIN, Look, blocks_html, esc, text_html

APP_NAME = "Joined Up"
APP_COLOUR = "#1d4f5c"  # app_manifest.yml's background_color


@dataclass(frozen=True)
class Frame:
    """Where the picture is and whose it is: the caption above the window, and Slack's sidebar."""

    caption: str  # who sees it, and when
    workspace: str
    channels: tuple[str, ...] = ()  # sidebar channels, e.g. ("social-care", "education")
    people: tuple[str, ...] = ()  # sidebar direct messages, by name
    active: str = ""  # the sidebar entry that is open: a channel, a person or APP_NAME


@dataclass(frozen=True)
class Shown:
    """One message in the open conversation."""

    blocks: list[dict[str, Any]] | None
    text: str = ""
    author: str = APP_NAME
    time: str = ""
    only_you: bool = False  # an ephemeral reply: "Only visible to you"
    replies: int = 0


def message_page(frame: Frame, title: str, messages: list[Shown], look: Look = PLAIN) -> str:
    """A channel or direct message with these messages in it."""
    rows = "".join(_message(m, look) for m in messages)
    main = f'<div class="main"><div class="top">{esc(title)}</div><div class="messages">{rows}</div></div>'
    return _page(frame, _sidebar(frame) + main)


def modal_page(frame: Frame, view: dict[str, Any], look: Look = PLAIN, *, values: Mapping[str, Any] | None = None,
               errors: Mapping[str, str] | None = None) -> str:
    """A modal over a dimmed Slack window; `values` are what was typed, `errors` Joined Up's answer to them."""
    close = view.get("close") or {"type": "plain_text", "text": "Cancel"}
    submit = f'<span class="button primary">{text_html(view["submit"], look)}</span>' if view.get("submit") else ""
    card = (f'<div class="modal"><div class="modal-head">{_avatar()}<span class="modal-title">'
            f'{text_html(view.get("title"), look)}</span><span class="x">✕</span></div>'
            f'<div class="modal-body">{blocks_html(view.get("blocks"), look, values=values, errors=errors)}</div>'
            f'<div class="modal-foot"><span class="button">{text_html(close, look)}</span>{submit}</div></div>')
    return _page(frame, f'{_sidebar(frame)}<div class="main dim">{card}</div>', dimmed=True)


def home_page(frame: Frame, view: dict[str, Any], look: Look = PLAIN) -> str:
    """The app's Home tab."""
    tabs = '<div class="tabs"><span class="tab on">Home</span><span class="tab">Messages</span>' \
           '<span class="tab">About</span></div>'
    main = (f'<div class="main"><div class="top app">{_avatar()}<span>{esc(APP_NAME)}</span></div>{tabs}'
            f'<div class="home">{blocks_html(view.get("blocks"), look)}</div></div>')
    return _page(frame, _sidebar(frame) + main)


def _avatar() -> str:
    return f'<span class="avatar" style="background:{APP_COLOUR}">JU</span>'


def _message(message: Shown, look: Look) -> str:
    app = ' <span class="app-badge">APP</span>' if message.author == APP_NAME else ""
    only = '<div class="only-you">Only visible to you</div>' if message.only_you else ""
    body = blocks_html(message.blocks, look) if message.blocks else f'<div class="text">{esc(message.text)}</div>'
    replies = (f'<div class="replies">{message.replies} {"reply" if message.replies == 1 else "replies"}</div>'
               if message.replies else "")
    avatar = _avatar() if message.author == APP_NAME else \
        f'<span class="avatar person">{esc(message.author[:1])}</span>'
    return (f'<div class="message{" ephemeral" if message.only_you else ""}">{only}<div class="row">{avatar}'
            f'<div class="content"><div class="who"><b>{esc(message.author)}</b>{app}'
            f'<span class="time">{esc(message.time)}</span></div>{body}{replies}</div></div></div>')


def _sidebar(frame: Frame) -> str:
    def item(label: str, shown: str) -> str:
        return f'<div class="item{" on" if label == frame.active else ""}">{shown}</div>'

    channels = "".join(item(c, f"# {esc(c)}") for c in frame.channels)
    people = "".join(item(p, f"● {esc(p)}") for p in frame.people)
    return (f'<div class="sidebar"><div class="workspace">{esc(frame.workspace)}</div>'
            + (f'<div class="group">Channels</div>{channels}' if channels else "")
            + (f'<div class="group">Direct messages</div>{people}' if people else "")
            + f'<div class="group">Apps</div>{item(APP_NAME, esc(APP_NAME))}</div>')


def _page(frame: Frame, window: str, *, dimmed: bool = False) -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(frame.caption)}</title>'
            f'<style>{CSS}</style></head><body><div class="caption">{esc(frame.caption)}</div>'
            f'<div class="window{" dimmed" if dimmed else ""}">{window}</div></body></html>')


CSS = """
* { box-sizing: border-box; }
body { margin: 0; background: #f4f4f4; color: #1d1c1d; font: 15px/1.46 "Liberation Sans", "DejaVu Sans", Arial,
  sans-serif; -webkit-font-smoothing: antialiased; }
.caption { padding: 10px 16px; background: #222; color: #fff; font-size: 14px; }
.window { display: flex; min-height: 360px; background: #fff; border-bottom: 1px solid #ddd; }
.sidebar { width: 210px; flex: none; background: #3f0e40; color: #cfc3cf; padding-bottom: 16px; font-size: 14px; }
.dimmed .sidebar { filter: brightness(0.55); }
.workspace { color: #fff; font-weight: bold; padding: 12px 16px; border-bottom: 1px solid #5d3d5e; }
.group { padding: 12px 16px 4px; font-size: 13px; }
.item { padding: 3px 16px 3px 26px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.item.on { background: #1164a3; color: #fff; }
.main { flex: 1; min-width: 0; }
.main.dim { background: #6f6f6f; padding: 28px 0 40px; display: flex; justify-content: center;
  align-items: flex-start; }
.top { padding: 12px 20px; font-weight: bold; font-size: 17px; border-bottom: 1px solid #ddd; }
.top.app { display: flex; align-items: center; gap: 10px; border-bottom: none; }
.top.app .avatar { width: 28px; height: 28px; font-size: 11px; }
.tabs { padding: 0 20px; border-bottom: 1px solid #ddd; }
.tab { display: inline-block; padding: 6px 2px; margin-right: 18px; color: #616061; }
.tab.on { color: #1d1c1d; border-bottom: 2px solid #1264a3; font-weight: bold; }
.home { padding: 14px 20px 24px; }
.messages { padding: 8px 0 20px; }
.message { padding: 8px 20px; }
.message.ephemeral { background: #f8f8f8; }
.only-you { color: #616061; font-size: 13px; margin: 0 0 4px 46px; }
.row { display: flex; gap: 10px; }
.avatar { width: 36px; height: 36px; border-radius: 6px; flex: none; color: #fff; font-weight: bold; font-size: 13px;
  display: inline-flex; align-items: center; justify-content: center; }
.avatar.person { background: #9b6b9e; }
.content { flex: 1; min-width: 0; }
.who b { font-weight: 900; }
.app-badge { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: bold; padding: 1px 3px;
  border-radius: 2px; vertical-align: 2px; }
.time { color: #616061; font-size: 12px; margin-left: 8px; }
.replies { color: #1264a3; font-size: 13px; font-weight: bold; margin-top: 4px; }
.section { display: flex; gap: 12px; margin: 4px 0; }
.section .body { flex: 1; min-width: 0; }
.text { overflow-wrap: anywhere; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin: 6px 0; }
.field { overflow-wrap: anywhere; }
.header { font-size: 18px; font-weight: 900; margin: 8px 0 4px; }
.divider { border: none; border-top: 1px solid #ddd; margin: 10px 0; }
.context { color: #616061; font-size: 13px; margin: 4px 0; }
.context .bit { margin-right: 10px; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.button { display: inline-block; padding: 3px 12px; border: 1px solid #bbb; border-radius: 4px; font-size: 14px;
  font-weight: bold; background: #fff; white-space: nowrap; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { color: #e01e5a; border-color: #e01e5a; }
.button.overflow { padding: 3px 8px; }
a { color: #1264a3; text-decoration: none; }
.mention { color: #1264a3; background: #e8f5fa; border-radius: 3px; padding: 0 2px; }
code { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; color: #c01343; background: #f6f6f6;
  border: 1px solid #ddd; border-radius: 3px; padding: 0 3px; }
pre { font-family: "DejaVu Sans Mono", monospace; font-size: 12px; background: #f8f8f8; border: 1px solid #ddd;
  border-radius: 4px; padding: 8px; white-space: pre-wrap; margin: 4px 0; }
blockquote { margin: 4px 0; padding-left: 10px; border-left: 4px solid #ddd; }
.emoji { display: inline-flex; align-items: center; justify-content: center; width: 18px; height: 18px;
  border-radius: 4px; color: #fff; font-size: 12px; font-weight: bold; vertical-align: -3px; margin: 0 2px;
  font-family: "DejaVu Sans", sans-serif; }
.emoji.unknown { width: auto; color: #616061; background: #eee; padding: 0 3px; font-weight: normal; }
.image, .thumb { display: inline-block; background: #eee; color: #616061; font-size: 13px; border-radius: 4px; }
.image { padding: 20px; margin: 4px 0; }
.thumb { width: 16px; height: 16px; vertical-align: -3px; }
.thumb.big { width: 72px; height: 72px; }
.modal { width: 540px; background: #fff; border-radius: 8px; box-shadow: 0 6px 24px rgba(0,0,0,.35); }
.modal-head { display: flex; align-items: center; gap: 10px; padding: 16px 20px; border-bottom: 1px solid #ddd; }
.modal-head .avatar { width: 28px; height: 28px; font-size: 11px; }
.modal-title { flex: 1; font-size: 20px; font-weight: 900; }
.x { color: #616061; }
.modal-body { padding: 8px 20px 16px; }
.modal-foot { display: flex; justify-content: flex-end; gap: 10px; padding: 14px 20px; border-top: 1px solid #ddd; }
.modal-foot .button { padding: 6px 14px; }
.input { margin: 14px 0; }
.label { font-weight: bold; margin-bottom: 6px; }
.optional { font-weight: normal; color: #616061; }
.textbox, .textarea, .select { border: 1px solid #bbb; border-radius: 4px; padding: 8px 10px; min-height: 38px;
  background: #fff; }
.textarea { min-height: 76px; white-space: pre-wrap; }
.select { display: flex; justify-content: space-between; align-items: center; gap: 8px; }
.select .mark { color: #616061; }
.pair { display: flex; gap: 10px; }
.pair .select { flex: 1; }
.invalid .textbox, .invalid .textarea, .invalid .select { border-color: #e01e5a; box-shadow: 0 0 0 1px #e01e5a; }
.placeholder { color: #8a8a8a; }
.typed { white-space: pre-wrap; overflow-wrap: anywhere; }
.chip { display: inline-block; background: #eef4f8; border: 1px solid #cfe0ea; border-radius: 4px; padding: 0 6px;
  margin: 1px 4px 1px 0; font-size: 14px; }
.hint { color: #616061; font-size: 13px; margin-top: 4px; }
.error { color: #e01e5a; font-size: 13px; margin-top: 4px; }
.choices .choice { display: flex; gap: 8px; margin: 4px 0; }
.radio, .check { flex: none; width: 16px; height: 16px; margin-top: 3px; border: 1px solid #888; background: #fff; }
.radio { border-radius: 50%; }
.check { border-radius: 3px; }
.radio.on { border: 5px solid #1264a3; }
.check.on { background: #1264a3; border-color: #1264a3; }
.description { color: #616061; font-size: 13px; }
"""

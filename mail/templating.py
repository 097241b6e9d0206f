"""Merge fields and HTML sanitising: the one renderer for templates, free text, campaign
sends and sequence steps.

A field is `{{ name }}` or `{{ name|fallback text }}`. Unknown names are refused when the
text is saved or sent (ValidationError naming them and the known ones); an empty value
takes the fallback written after `|`, else the field's default fallback below. Values are
escaped in HTML. HTML is sanitised with nh3 (ammonia): no scripts, styles, event
attributes or javascript: links survive.
"""

import html
import re
from dataclasses import dataclass

import nh3
from django.core.exceptions import ValidationError

from mail.models import MAX_BODY_BYTES

FIELD = re.compile(r"\{\{\s*([^{}|]*?)\s*(?:\|([^{}]*))?\}\}")

# name -> (what it is, fallback when empty)
FIELDS: dict[str, tuple[str, str]] = {
    "first_name": ("the lead's first name", "there"),
    "last_name": ("the lead's last name", ""),
    "full_name": ("the lead's name", "there"),
    "company": ("the lead's company", "your company"),
    "title": ("the lead's job title", ""),
    "email": ("the lead's address", ""),
    "rep_name": ("the sender's name", "The team"),
    "rep_email": ("the sender's address", ""),
    "rep_signature": ("the sender's signature", ""),
    "unsubscribe_url": ("the unsubscribe link", ""),
}

HTML_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i",
    "img", "li", "ol", "p", "pre", "span", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "u", "ul",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "*": {"align"},
}


def size_check(field: str, value: str) -> None:
    if len(value.encode()) > MAX_BODY_BYTES:
        raise ValidationError({field: f"At most {MAX_BODY_BYTES // 1_000_000} MB."})


def unknown_fields(text: str) -> list[str]:
    return sorted({m.group(1) for m in FIELD.finditer(text) if m.group(1) not in FIELDS})


def fields_check(**texts: str) -> None:
    """Refuse unknown merge fields and oversized bodies, per form field."""
    errors: dict[str, str] = {}
    for name, text in texts.items():
        if len((text or "").encode()) > MAX_BODY_BYTES:
            errors[name] = f"At most {MAX_BODY_BYTES // 1_000_000} MB."
            continue
        unknown = unknown_fields(text or "")
        if unknown:
            known = ", ".join(f"{{{{ {f} }}}}" for f in FIELDS)
            names = ", ".join(f"{{{{ {f} }}}}" for f in unknown)
            errors[name] = f"Unknown merge field {names}. Known fields: {known}."
    if errors:
        raise ValidationError(errors)


def sanitise_html(value: str) -> str:
    if not value.strip():
        return ""
    return nh3.clean(
        value,
        tags=HTML_TAGS,
        attributes=HTML_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def _merge(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        name, fallback = match.group(1), match.group(2)
        if name not in FIELDS:
            raise ValidationError({"body": f"Unknown merge field {{{{ {name} }}}}."})
        value = (values.get(name) or "").strip()
        if not value:
            value = fallback.strip() if fallback is not None else FIELDS[name][1]
        return value

    return FIELD.sub(one, text)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


def merge_values(*, lead, sender=None, unsubscribe_url: str = "") -> dict[str, str]:
    rep_name = (sender.get_full_name() or sender.username) if sender else ""
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "full_name": lead.full_name,
        "company": lead.company,
        "title": lead.title,
        "email": lead.email,
        "rep_name": rep_name,
        "rep_email": sender.email if sender else "",
        "rep_signature": f"{rep_name}\n{sender.email}".strip() if sender else "",
        "unsubscribe_url": unsubscribe_url,
    }


def render(*, subject: str, body_text: str, body_html: str, values: dict[str, str]) -> Rendered:
    """Fill the merge fields for one lead. Text stays text; HTML values are escaped and
    the result sanitised again (a value cannot smuggle markup in)."""
    fields_check(subject=subject, body_text=body_text, body_html=body_html)
    merged_html = ""
    if body_html.strip():
        signature = html.escape(values.get("rep_signature", "")).replace("\n", "<br>")
        escaped = {k: html.escape(v or "") for k, v in values.items()}
        escaped["rep_signature"] = signature
        merged_html = sanitise_html(_merge(body_html, escaped))
    return Rendered(
        subject=" ".join(_merge(subject, values).split())[:300],
        body_text=_merge(body_text, values),
        body_html=merged_html,
    )

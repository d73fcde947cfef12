"""A provision's validity, read one way for every integration (llama-index metadata, the MCP
tools).

Decision: the typed records do not carry validity yet (another change adds
``effective_from`` / ``effective_to`` / ``replaced_by`` / ``status`` to them); this one
function reads those attributes with ``getattr`` defaults from whatever objects it is given,
so the integrations report validity as soon as the records carry it, and None until then.
"""

from __future__ import annotations

from datetime import date

VALIDITY_FIELDS = ("effective_from", "effective_to", "replaced_by", "status")


def validity(*sources: object) -> dict[str, str | None]:
    """``effective_from`` / ``effective_to`` / ``replaced_by`` / ``status`` of a provision:
    from the first of ``sources`` (a passage, a record, a document record) that has the
    attribute set; None while no record carries it. Dates become ISO strings, enums their
    values."""
    out: dict[str, str | None] = {}
    for name in VALIDITY_FIELDS:
        value = next((v for s in sources if (v := getattr(s, name, None)) is not None), None)
        if isinstance(value, date):
            value = value.isoformat()
        out[name] = None if value is None else str(getattr(value, "value", value))
    return out

"""Validity of a legal text: in force from when, until when, replaced by what.

Read from the texts themselves by :mod:`ingest.validity` and stored on the index records
(:mod:`retrieval.records`); the currency of a citation on a date is decided here, once, for
the CLI, the UI, the Markdown export and the eval.

Decisions:

* **Dates are ISO strings** ("2021-01-01"), as :class:`legal.document.DocumentMeta.date`
  already is: they sort as dates, travel through JSON and Qdrant payloads unchanged, and
  Qdrant's datetime range filter reads them as dates (both stores, tested). Readers that
  want a :class:`datetime.date` call :func:`to_date`.
* ``effective_to`` is the first day a text is **no longer** in force: the day its
  replacement takes effect ("Bộ luật Lao động số 10/2012/QH13 hết hiệu lực thi hành kể từ
  ngày Bộ luật này có hiệu lực" → 10/2012's ``effective_to`` is 45/2019's
  ``effective_from``, 2021-01-01). A text is in force on D when
  ``effective_from <= D < effective_to`` (a bound that is not known does not exclude).
* An amended clause keeps its document's ``effective_from`` (it existed before, with other
  words); ``amended_from``/``amended_by`` say since when and by which act its current wording
  applies. A consolidated text holds only the current wording, so a question about an
  earlier date gets this clause *flagged* ("khoản này được sửa đổi từ … bởi …"), never
  silently answered as if the wording had always been so. A clause *added* by an amendment
  ("bổ sung") did not exist before: its ``effective_from`` is the amendment's date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from legal.address import LegalAddress


class RelationKind(StrEnum):
    REPEALS = "repeals"  # "… số X hết hiệu lực …", "Bãi bỏ …"
    REPLACES = "replaces"  # "Luật này thay thế …"
    AMENDS = "amends"  # "Sửa đổi, bổ sung khoản 1 Điều 9 của Luật … số X"


@dataclass(frozen=True)
class Relation:
    """What this text does to another one, as written: "Bộ luật Lao động số 10/2012/QH13
    hết hiệu lực thi hành kể từ ngày Bộ luật này có hiệu lực"."""

    kind: RelationKind
    number: str  # the other act's số hiệu, "10/2012/QH13"
    name: str = ""  # as written: "Bộ luật Lao động"
    effective: str | None = None  # from when (ISO), when the text says or implies it
    text: str = ""  # the sentence

    def label(self) -> str:
        """ "Bộ luật Lao động số 10/2012/QH13" (the number alone when no name was written)."""
        return f"{self.name} số {self.number}" if self.name else f"số {self.number}"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "kind": self.kind.value,
            "number": self.number,
            "name": self.name,
            "effective": self.effective,
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Relation:
        eff = d.get("effective")
        return cls(
            RelationKind(str(d.get("kind") or "repeals")),
            str(d.get("number") or ""),
            str(d.get("name") or ""),
            None if eff is None else str(eff),
            str(d.get("text") or ""),
        )


@dataclass(frozen=True)
class ProvisionDate:
    """A provision with its own date: "Khoản 3 Điều 29 của Luật này có hiệu lực thi hành từ
    ngày 01 tháng 02 năm 2021"."""

    address: LegalAddress
    effective_from: str
    text: str = ""


@dataclass(frozen=True)
class Validity:
    """What a document says of its own validity."""

    signed: str | None = None  # ngày ký / thông qua (ISO)
    effective_from: str | None = None
    basis: str = ""  # the sentence the date was read from
    relative_to: str | None = None  # another act's number, when the date is "from the day
    # Luật số X takes effect" and X's date is not known yet (resolved across documents)
    provisions: tuple[ProvisionDate, ...] = ()
    relations: tuple[Relation, ...] = ()

    def provision_from(self, address: LegalAddress) -> str | None:
        """The date of the narrowest staggered provision holding ``address``, else None."""
        holders = [p for p in self.provisions if p.address.contains(address)]
        if not holders:
            return None
        return max(holders, key=lambda p: p.address.level).effective_from


class Currency(StrEnum):
    IN_FORCE = "Còn hiệu lực"
    EXPIRED = "Hết hiệu lực"
    NOT_YET = "Chưa có hiệu lực"
    UNKNOWN = "Chưa rõ hiệu lực"


def today_iso() -> str:
    """Today, the date citations are labelled for when no as-of date is given."""
    return dt.date.today().isoformat()


def to_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def iso(value: str | dt.date | None) -> str | None:
    """An ISO date string, whatever was given (a date, a string, None)."""
    d = to_date(value)
    return d.isoformat() if d else None


def vn_date(value: str | None) -> str:
    """'2021-01-01' → '01/01/2021' (how Vietnamese texts print dates)."""
    d = to_date(value)
    return d.strftime("%d/%m/%Y") if d else (value or "")


def currency(effective_from: str | None, effective_to: str | None, on: str) -> Currency:
    """In force on ``on`` (ISO) when ``effective_from <= on < effective_to``."""
    if effective_from is None and effective_to is None:
        return Currency.UNKNOWN
    if effective_from is not None and on < effective_from:
        return Currency.NOT_YET
    if effective_to is not None and on >= effective_to:
        return Currency.EXPIRED
    return Currency.IN_FORCE


@dataclass(frozen=True)
class Dates:
    """The validity fields every stored provision carries (see :mod:`retrieval.records`)."""

    effective_from: str | None = None
    effective_to: str | None = None
    replaced_by: str | None = None
    amended_from: str | None = None
    amended_by: str | None = None

    def currency(self, on: str) -> Currency:
        return currency(self.effective_from, self.effective_to, on)

    def warnings(self, on: str) -> tuple[str, ...]:
        """The currency warnings of a citation on ``on``, in Vietnamese, as shown next to it:
        "đã hết hiệu lực từ … (thay thế bởi …)", "chưa có hiệu lực (từ …)", "khoản này được
        sửa đổi từ … bởi …". Empty when the provision is in force and unamended since."""
        out: list[str] = []
        state = self.currency(on)
        if state is Currency.EXPIRED:
            by = f" (thay thế bởi {self.replaced_by})" if self.replaced_by else ""
            out.append(f"đã hết hiệu lực từ {vn_date(self.effective_to)}{by}")
        elif state is Currency.NOT_YET:
            out.append(f"chưa có hiệu lực (từ {vn_date(self.effective_from)})")
        if self.amended_from or self.amended_by:
            since = f" từ {vn_date(self.amended_from)}" if self.amended_from else ""
            by = f" bởi {self.amended_by}" if self.amended_by else ""
            later = self.amended_from is not None and on < self.amended_from
            note = " — nội dung trước đó không có trong kho" if later else ""
            out.append(f"khoản này được sửa đổi{since}{by}{note}")
        return tuple(out)

"""Readers: one per input format, each returning parsed :class:`legal.document.Document` s."""

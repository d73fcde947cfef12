"""Shared fixtures. The real corpora live in ../shared/corpus (read in place, never copied)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_CORPUS = (REPO.parent / "shared" / "corpus").resolve()


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    """The shared corpus folder; tests that need it are skipped with a reason when absent."""
    if not SHARED_CORPUS.is_dir():
        pytest.skip(f"needs the shared corpus at {SHARED_CORPUS} (../shared/corpus is absent)")
    return SHARED_CORPUS


@pytest.fixture(scope="session")
def labor_code_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "45-2019-QH14_bo-luat-lao-dong.pdf"


@pytest.fixture(scope="session")
def trade_union_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "50-2024-QH15_luat-cong-doan_cong-bao.pdf"


@pytest.fixture(scope="session")
def scanned_pdf(shared_corpus: Path) -> Path:
    return shared_corpus / "pdfs" / "74-2025-QH15_luat-viec-lam_scanned.pdf"

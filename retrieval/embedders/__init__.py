"""Dense embedders: one protocol, the bundled offline e5 and any sentence-transformers model."""

from retrieval.embedders.base import DenseEmbedder

__all__ = ["DenseEmbedder"]

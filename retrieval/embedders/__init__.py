"""Dense embedders: one protocol (:mod:`.base`), the bundled offline e5 and any
sentence-transformers model."""

"""luatqa legal domain: addresses, documents, citations, law registry."""

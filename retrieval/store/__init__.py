"""Vector stores behind one interface: embedded (qdrant-edge) and server (qdrant-client)."""

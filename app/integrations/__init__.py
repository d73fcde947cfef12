"""luatqa's parts as parts of other tools: :mod:`app.integrations.llamaindex` (the optional
``llamaindex`` extra). Nothing is imported here, so ``import app`` never pulls an extra in;
the MCP server is :mod:`app.mcp`."""

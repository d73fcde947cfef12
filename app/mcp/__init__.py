"""luatqa as an MCP server (the optional ``mcp`` extra): :mod:`app.mcp.tools` (what the
tools do) and :mod:`app.mcp.server` (the MCP declarations). Nothing is imported here."""

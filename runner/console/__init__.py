"""The operator console: `runner serve`, an HTTP API under /api/v1 and a page at `/`
for the people who decide gates, on the same front door (`runner.Repo`) as the CLI.

Litestar and uvicorn are imported only here (`app.py`, `server.py`), never by
`runner --help`. `tokens.py` (who may look or decide) needs neither."""

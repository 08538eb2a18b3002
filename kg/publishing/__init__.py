"""Publishing the build: `kg push` to a triplestore (push, payload, targets, over the HTTP client
of client.py), queries to a remote endpoint (remote), and `kg serve`, the read-only SPARQL
endpoint on the local store (serve)."""

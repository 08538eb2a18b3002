"""Drafting: from the text of a news article to a sourced incident draft (`kg draft`).

`draft_article(root, path, url=..., published=...)` reads the article (plain text or HTML), finds
the incident it reports and returns a `Draft`: every value it proposes carries the span of the
article that supports it, and a value without a span is not proposed. `render_yaml` and
`render_json` write it; `compare` lists what it adds to an incident of the graph.
"""

from kg.drafting.compare import compare
from kg.drafting.draft import Draft, draft_article
from kg.drafting.render import render_json, render_yaml

__all__ = ["Draft", "compare", "draft_article", "render_json", "render_yaml"]

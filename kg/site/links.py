"""Where a page links to: IRIs of our namespace as paths of the server (`/id/...`) or as
relative file names of the static site (`../incident/X.html`), so that `kg site` output opens
from disk; parts of a resource (an incident's impacts and claims) as anchors in its page."""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import BASE, ID

RDF_FORMATS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
    "jsonld": "application/ld+json",
}
MEDIA_TYPES = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
    "application/ld+json": "jsonld",
}


@dataclass(frozen=True)
class Links:
    """`static`: file names relative to the page at `page` (a path under the site's root)."""

    static: bool = False
    page: str = ""

    @property
    def root(self) -> str:
        return "../" * self.page.count("/") if self.static else "/"

    def at(self, page: str) -> Links:
        return Links(self.static, page)

    def path(self, path: str) -> str:
        """A page of the site by its server path without the leading slash ("" is home)."""
        if not self.static:
            return "/" + path
        if path in ("", "index.html"):
            return self.root + "index.html"
        return self.root + path + ".html"

    def static_file(self, name: str) -> str:
        return self.root + "static/" + name

    def href(self, iri: str) -> str:
        """The link for an IRI: ours to its page (a part to its anchor), others to themselves."""
        if iri.startswith(BASE):
            rest = iri[len(BASE):]
            if rest.startswith("ontology#"):
                return self.path("ontology") + "#" + rest.split("#", 1)[1]
            if rest.startswith("id/"):
                parts = rest.split("/")
                if len(parts) > 3:
                    return self.path("/".join(parts[:3])) + "#" + "/".join(parts[3:])
            if rest.startswith((".well-known", "graph/")):
                return ""
            return self.path(rest)
        if iri.startswith(("http://", "https://")):
            return iri
        return ""

    def anchor(self, iri: str) -> str:
        """The id of a part inside its resource's page."""
        if iri.startswith(str(ID)):
            parts = iri[len(str(ID)):].split("/")
            return "/".join(parts[2:])
        return ""

    def form(self, path: str, fmt: str) -> str:
        """Another form of a page: `?format=ttl` on the server, `X.ttl` beside `X.html`."""
        if self.static:
            return self.root + path + "." + fmt
        return "/" + path + "?format=" + fmt

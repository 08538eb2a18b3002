"""The dataset description a portal harvests (issue 12): DCAT-AP 3.0.0 with a distribution per
export format (media type, size and checksum of the files written, download URL), the SPARQL
endpoint as a data service, coverage, publisher, contact point, licences, linksets; validated
with pySHACL against DCAT-AP's own shapes (tests/vendor/dcat-ap/, with their source)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from kg.exporting.dcat import DATASET, DCAT, MEDIA, SPDX, VOID, write_release

SHAPES = Path(__file__).parent / "vendor" / "dcat-ap" / "dcat-ap-SHACL.ttl"
BASE_URL = "https://hospital-cyber-kg.example.org/download"
ENDPOINT = "https://hospital-cyber-kg.example.org/sparql"


@pytest.fixture(scope="module")
def release(project, built, tmp_path_factory) -> tuple[Path, Graph]:
    folder = tmp_path_factory.mktemp("release")
    write_release(project, built, folder, BASE_URL, ENDPOINT)
    g = Graph()
    g.parse(folder / "dcat.ttl", format="turtle")
    return folder, g


def test_the_description_conforms_to_the_dcat_ap_shapes(release):
    import pyshacl

    _, g = release
    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes, advanced=True, inference="rdfs")
    assert conforms, text[:3000]


def test_a_distribution_without_its_access_url_does_not_conform(release):
    import pyshacl

    _, g = release
    broken = Graph()
    for triple in g:
        broken.add(triple)
    broken.remove((DATASET, DCAT.distribution, None))
    for node in list(broken.subjects(RDF.type, DCAT.Distribution)):
        broken.remove((node, DCAT.accessURL, None))
    conforms, _, text = pyshacl.validate(
        broken, shacl_graph=Graph().parse(SHAPES, format="turtle"), advanced=True
    )
    assert not conforms and "accessURL" in text


def test_each_export_format_is_a_distribution_of_the_file_written(release):
    folder, g = release
    found = {}
    for node in g.objects(DATASET, DCAT.distribution):
        url = str(g.value(node, DCAT.downloadURL))
        path = folder / url.rsplit("/", 1)[1]
        data = path.read_bytes()
        checksum = g.value(node, SPDX.checksum)
        found[path.name] = (
            int(g.value(node, DCAT.byteSize)) == len(data),
            str(g.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest(),
            str(g.value(node, DCAT.mediaType)).rsplit("/", 2)[-2:],
        )
        assert url == f"{BASE_URL}/{path.name}"
    assert found == {name: (True, True, media.split("/")) for name, media in MEDIA.values()}


def test_coverage_publisher_service_and_linksets(release, built):
    _, g = release
    d = DATASET
    assert {t.language for t in g.objects(d, DCTERMS.title)} == {"en", "fr"}
    assert {t.language for t in g.objects(d, DCTERMS.description)} == {"en", "fr"}
    assert g.value(d, DCTERMS.publisher) is not None and g.value(d, DCAT.contactPoint) is not None
    assert g.value(d, DCTERMS.spatial) == URIRef(
        "http://publications.europa.eu/resource/authority/country/FRA"
    )
    period = g.value(d, DCTERMS.temporal)
    start = g.value(period, DCAT.startDate)
    assert start.datatype == XSD.date and str(start) <= "2019-12-31"
    service = next(g.subjects(RDF.type, DCAT.DataService))
    assert g.value(service, DCAT.endpointURL) == URIRef(ENDPOINT)
    assert g.value(service, DCAT.servesDataset) == d
    attack = URIRef(f"{d}#links-attack")
    assert (attack, RDF.type, VOID.Linkset) in g
    assert int(g.value(attack, VOID.triples)) >= 7
    register = URIRef("https://w3id.org/hospital-cyber-kg/graph/register#dataset")
    assert (
        register,
        DCTERMS.license,
        URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence"),
    ) in g
    assert g.value(d, DCTERMS.conformsTo) == URIRef("https://w3id.org/hospital-cyber-kg/ontology")
    assert any("GeoNames" in str(o) for o in g.objects(g.value(d, DCTERMS.rights), None))
    assert Literal("ransomware", lang="en") in set(g.objects(d, DCAT.keyword))

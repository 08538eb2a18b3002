"""The OWL API and HermiT, as researchers load our ontology first: scripts/owl/OwlCheck.java,
compiled against the HermiT.jar that owlready2 ships (it holds the OWL API 3), run on
ontology/hck.ttl through ontology/catalog-v001.xml, offline. Java comes from Debian
(scripts/test.sh installs default-jdk-headless); without javac the tests that need it skip."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "scripts" / "owl" / "OwlCheck.java"
CATALOG = REPO / "ontology" / "catalog-v001.xml"
ONTOLOGY = REPO / "ontology" / "hck.ttl"
ONTOLOGY_IRI = "https://w3id.org/hospital-cyber-kg/ontology"


def hermit_jar() -> Path | None:
    try:
        import owlready2  # noqa: TID253 - only the path of its jar
    except ImportError:
        return None
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    return jar if jar.is_file() else None


def why_not() -> str | None:
    """Why the checker cannot run here, or None."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        return "java/javac not installed (scripts/test.sh installs default-jdk-headless)"
    if hermit_jar() is None:
        return "owlready2 (which ships HermiT.jar and the OWL API) is not installed"
    return None


@dataclass
class Outcome:
    imports: int = 0
    violations: list[str] = field(default_factory=list)
    consistent: bool | None = None
    unsatisfiable: list[str] = field(default_factory=list)


def compile_checker(into: Path) -> str:
    """Compile the checker into a folder; returns the class path to run it with."""
    jar = hermit_jar()
    assert jar is not None
    subprocess.run(
        ["javac", "-nowarn", "-d", str(into), "-cp", str(jar), str(SOURCE)],
        check=True,
        capture_output=True,
    )
    return f"{jar}:{into}"


def run_checker(classpath: str, data: Path | None = None, root: Path = ONTOLOGY) -> Outcome:
    args = ["java", "-cp", classpath, "OwlCheck", str(CATALOG), str(root)]
    done = subprocess.run(
        [*args, *([str(data)] if data else [])], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = Outcome()
    for line in done.stdout.splitlines():
        key, _, value = line.partition(" ")
        if key == "imports":
            out.imports = int(value)
        elif key == "violation":
            out.violations.append(value)
        elif key == "consistent":
            out.consistent = value == "true"
        elif key == "unsatisfiable":
            out.unsatisfiable.append(value)
    return out


def data_document(nquads: Path | None, extra: list[Path], into: Path) -> Path:
    """One Turtle document that imports the ontology and holds the triples of a build's
    dataset.nq (its ontology graph left out: the import brings it) and of the extra files."""
    from rdflib import Dataset, Graph, URIRef
    from rdflib.namespace import OWL, RDF

    g = Graph()
    if nquads is not None:
        ds = Dataset()
        ds.parse(nquads, format="nquads")
        for s, p, o, c in ds.quads():
            if not str(c).endswith("/graph/ontology"):
                g.add((s, p, o))
    for path in extra:
        g.parse(path, format="turtle")
    doc = URIRef("urn:hck:data")
    g.add((doc, RDF.type, OWL.Ontology))
    g.add((doc, OWL.imports, URIRef(ONTOLOGY_IRI)))
    g.serialize(into, format="turtle")
    return into

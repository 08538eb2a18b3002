"""The store is loaded in bounded pieces of whole lines (kg.build_files): every line once, and a
file with a blank node in one piece, so that its blank node stays one node."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import build_files
from kg.build_files import has_blank_node, load_pieces, split_pieces


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def quads(n: int, graph: str = "http://g/1") -> list[str]:
    return [f'<http://s/{i}> <http://p/v> "value {i}" <{graph}> .' for i in range(n)]


def test_pieces_are_whole_lines_and_cover_the_file_once(tmp_path):
    source = write(tmp_path / "a.nq", quads(500))
    pieces = split_pieces([source], size=1000)
    assert len(pieces) > 10
    data = source.read_bytes()
    parts = sorted(pieces, key=lambda p: p[1])
    assert b"".join(data[start : start + length] for _, start, length in parts) == data
    assert all(data[start + length - 1 : start + length] == b"\n" for _, start, length in parts)


def test_a_file_with_a_blank_node_is_one_piece(tmp_path):
    lines = quads(200)
    lines[150] = "<http://s/x> <http://p/v> _:shared <http://g/1> ."
    lines[10] = "_:shared <http://p/v> <http://s/y> <http://g/1> ."
    source = write(tmp_path / "b.nq", lines)
    assert has_blank_node(source)
    assert split_pieces([source], size=1000) == [(source, 0, source.stat().st_size)]


def test_a_blank_node_label_across_a_block_boundary_is_found(tmp_path, monkeypatch):
    source = tmp_path / "c.nq"
    source.write_bytes(b"x" * (16 * 1024 * 1024 - 1) + b"_:b")
    assert has_blank_node(source)
    assert not has_blank_node(write(tmp_path / "d.nq", quads(10)))


@pytest.mark.parametrize("with_blank_node", [False, True])
def test_loading_in_pieces_gives_the_store_of_a_whole_load(tmp_path, monkeypatch, with_blank_node):
    lines = quads(300) + quads(300, "http://g/2")
    if with_blank_node:
        lines[5] = "_:shared <http://p/v> <http://s/y> <http://g/1> ."
        lines[500] = "<http://s/x> <http://p/v> _:shared <http://g/1> ."
    first = write(tmp_path / "one.nq", lines)
    second = write(tmp_path / "two.nq", quads(50, "http://g/3"))
    monkeypatch.setattr(build_files, "PIECE_BYTES", 2000)
    pieced = ox.Store(str(tmp_path / "pieced"))
    load_pieces(pieced, [first, second])
    whole = ox.Store()
    for path in (first, second):
        whole.load(path=str(path), format=ox.RdfFormat.N_QUADS)
    assert len(pieced) == len(whole) == 650
    named = {str(q) for q in pieced if "_:" not in str(q)}
    assert named == {str(q) for q in whole if "_:" not in str(q)}
    if with_blank_node:
        query = "SELECT ?x WHERE { GRAPH ?g { ?x <http://p/v> <http://s/y> . <http://s/x> ?p ?x } }"
        assert len(list(pieced.query(query))) == 1  # one node, not two


def test_the_counted_triples_are_those_of_the_graph_queries_read(tmp_path):
    """The build counts the triples without a second scan; its figure is still the count of
    the union default graph that kg's queries read (a triple in two graphs, and one in the
    default graph, included)."""
    lines = quads(20) + quads(5, "http://g/2") + ['<http://s/d> <http://p/v> "default" .']
    folder = tmp_path / "build"
    folder.mkdir()
    counted = build_files.load_oxigraph(folder, [write(tmp_path / "in.nq", lines)])
    store = ox.Store.read_only(str(folder / "oxigraph"))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    union = next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value
    assert counted["triples"] == int(union) == 26
    assert counted["graphs"] == {"http://g/1": 20, "http://g/2": 5}

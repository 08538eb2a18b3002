"""The words `kg ask` knows: the threat actors and malware of data/actors.csv and
data/malware.csv (names and aliases), the incident types and impact types of the vocabularies
(ontology/vocab/, notations and labels in English and French) with a few synonyms people type,
the certainty words, the prepositions, the months, the filler words, and the gazetteer.

Every entry is a tuple of normalised words (kg.geo.normalise: no case, no accents, no
punctuation), so 'Fuite de données' and 'fuites de donnees' meet."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.geo import Gazetteer, normalise

Words = tuple[str, ...]

# Synonyms beyond the vocabularies' own notations and labels, each to a notation of its scheme
# (tests/test_ask.py checks that every notation exists).
KIND_WORDS = {
    "ransomware": ["ransomware", "ransomwares", "rancongiciel", "rancongiciels",
                   "ransomware attack", "ransomware attacks", "attaques par rancongiciel"],
    "data-breach": ["data leak", "data leaks", "data breach", "data breaches", "leak", "leaks",
                    "fuite de donnees", "fuites de donnees", "fuites", "fuite"],
    "ddos": ["ddos", "ddos attack", "ddos attacks", "denial of service", "deni de service",
             "attaques par deni de service"],
    "intrusion": ["intrusion", "intrusions"],
    "supply-chain": ["supply chain attack", "supply chain attacks", "supply chain",
                     "attaques par un prestataire"],
}
IMPACT_WORDS = {
    "data-published": ["data published", "published data", "leaked data", "donnees publiees",
                       "donnees divulguees"],
    "data-stolen": ["data stolen", "stolen data", "data theft", "donnees volees",
                    "vol de donnees"],
    "ransom-demanded": ["ransom demanded", "ransom demand", "ransom demands",
                        "demande de rancon", "rancon demandee"],
    "ransom-paid": ["ransom paid", "rancon payee"],
    "operations-cancelled": ["operations cancelled", "cancelled operations",
                             "operations deprogrammees", "deprogrammations"],
    "patients-transferred": ["patients transferred", "patients transferes"],
    "crisis-plan": ["crisis plan", "plan blanc"],
    "emergency-diversion": ["emergency diversion", "delestage des urgences"],
}
CERTAINTY_WORDS = {
    "claimed": ["claimed", "claimed by", "revendique", "revendiquee", "revendiques",
                "revendiquees", "revendique par", "revendiquee par", "revendiques par",
                "revendiquees par", "revendication", "revendications"],
    "confirmed": ["confirmed", "confirme", "confirmee", "confirmes", "confirmees"],
    "suspected": ["suspected", "soupconne", "soupconnee", "soupconnes", "soupconnees"],
}
NEAR = ["near", "nearby", "around", "close to", "pres de", "pres d", "autour de", "autour d",
        "a proximite de", "a proximite d", "aux alentours de", "aux alentours d"]
IN = ["in", "en", "dans", "dans le", "dans la", "dans les", "dans l", "au", "aux", "a", "in the",
      "inside", "within the"]
RADIUS_BEFORE = ["within", "less than", "under", "up to", "a moins de", "moins de",
                 "dans un rayon de", "a", "in a radius of"]
RADIUS_AFTER = ["of", "from", "around", "de", "d", "autour de", "autour d", "from the centre of"]
KM = ["km", "kms", "kilometre", "kilometres", "kilometer", "kilometers"]
# Period words: `from` opens a range closed by `to`; `since`, `after`, `before`, `until` bound.
PERIOD = {
    "in": ["in", "en", "during", "pendant", "durant", "of", "de", "d"],
    "from": ["from", "de", "du", "between", "entre", "starting"],
    "to": ["to", "a", "au", "and", "et", "until", "jusqu a", "jusqu en", "through", "till"],
    "since": ["since", "depuis", "from", "a partir de", "starting in", "starting from"],
    "after": ["after", "apres"],
    "before": ["before", "avant"],
    "until": ["until", "jusqu en", "jusqu a", "up to", "till", "through"],
}
MONTHS = {
    "january": 1, "janvier": 1, "february": 2, "fevrier": 2, "march": 3, "mars": 3,
    "april": 4, "avril": 4, "may": 5, "mai": 5, "june": 6, "juin": 6, "july": 7, "juillet": 7,
    "august": 8, "aout": 8, "september": 9, "septembre": 9, "october": 10, "octobre": 10,
    "november": 11, "novembre": 11, "december": 12, "decembre": 12,
}
# Words that ask nothing: the subject (attacks, hospitals) and the glue around filters.
FILLER = set("""
attack attacks attacked cyberattack cyberattacks cyber attaque attaques attaquee attaquees
cyberattaque cyberattaques incident incidents hit hits victim victims victime victimes
on against contre of the a an all any list show me give which what were was are is that who
hospital hospitals hopital hopitaux clinic clinics clinique cliniques health care healthcare
sante soins etablissement etablissements establishment establishments french france francais
francaises de des du d la le les l un une et and by par to with avec where ou ont ete a
named attributed attribue attribuee attribues attribuees french quelles quels toutes tous
""".split())


def words(text: str) -> Words:
    return tuple(normalise(text).split())


@dataclass
class Lexicon:
    """What a phrase may name, each entry a tuple of words: threats to their names (as kg
    attacks --actor takes them), kinds and impacts to their notations."""

    gazetteer: Callable[[], Gazetteer]
    threats: dict[Words, str] = field(default_factory=dict)
    kinds: dict[Words, str] = field(default_factory=dict)
    impacts: dict[Words, str] = field(default_factory=dict)

    @classmethod
    def of(cls, root: Path, gazetteer: Callable[[], Gazetteer] | None = None) -> Lexicon:
        """The lexicon of the project at `root` (its data/ and ontology/vocab/)."""
        from kg.loading.places import gazetteer_dir

        places = gazetteer or (lambda: Gazetteer.load(gazetteer_dir(root)))
        lexicon = cls(places, threats=read_threats(root / "data"))
        vocab = root / "ontology" / "vocab"
        lexicon.kinds = _scheme(vocab / "incident-type.ttl", KIND_WORDS)
        lexicon.impacts = _scheme(vocab / "impact-type.ttl", IMPACT_WORDS)
        return lexicon

    def entries(self) -> Iterable[tuple[Words, str, str]]:
        """(words, what, value) for every multi-word entry: threats, kinds, impacts, certainty."""
        for table, what in ((self.threats, "actor"), (self.kinds, "kind"),
                            (self.impacts, "impact")):
            for key, value in table.items():
                yield key, what, value
        for value, texts in CERTAINTY_WORDS.items():
            for text in texts:
                yield words(text), "min_certainty", value


def read_threats(data: Path) -> dict[Words, str]:
    """Names and aliases of actors and malware, each to the name `--actor` resolves best: a
    threat's own name to itself, an alias to its owner's name (LockBit Black: LockBit 3.0)."""
    own: dict[Words, str] = {}
    aliases: dict[Words, str] = {}
    for name in ("actors.csv", "malware.csv"):
        with (data / name).open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                own[words(row["name"])] = row["name"]
                for alias in (a.strip() for a in row["aliases"].split("|")):
                    if alias:
                        aliases.setdefault(words(alias), row["name"])
    return {**aliases, **own}


def _scheme(path: Path, synonyms: dict[str, list[str]]) -> dict[Words, str]:
    """Notations and labels (en, fr; singular and plural) of a SKOS scheme, with synonyms."""
    from rdflib import Graph
    from rdflib.namespace import SKOS

    graph = Graph().parse(path, format="turtle")
    out: dict[Words, str] = {}
    for concept, notation in graph.subject_objects(SKOS.notation):
        code = str(notation)
        labels = [code, *(str(label) for label in graph.objects(concept, SKOS.prefLabel))]
        for label in labels:
            key = words(label)
            out[key] = code
            out[(*key[:-1], key[-1] + "s")] = code
    for code, texts in synonyms.items():
        for text in texts:
            out[words(text)] = code
    return out

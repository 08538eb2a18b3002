"""The words that carry a fact in press wording, French and English, matched on the folded
sentence (lowercase, no accents): what happened (impact types, incident types), how certain the
wording is (hedged, unknown, denied), and whose word it is (actor, authority, victim, media)."""

from __future__ import annotations

import re

_R = r"ranc?on(?!giciel|ware)|ransom(?!ware)"
IMPACTS: dict[str, re.Pattern[str]] = {
    k: re.compile(v)
    for k, v in {
        "operations-cancelled": (
            r"(operations?|interventions?|chirurgi\w*|rendez-vous|consultations?|activite "
            r"(chirurgicale|operatoire)|examens?)[^.;]{0,60}?(annul|deprogramm|report|suspend)"
            r"|(annul\w*|deprogramm\w*|report\w*)[^.;]{0,40}?(operations|interventions|"
            r"rendez-vous|consultations|activite (chirurgicale|operatoire|programmee))"
            r"|activite (programmee|chirurgicale|operatoire)[^.;]{0,30}(suspendu|report|annul|"
            r"deprogramm|arret)"
            r"|(operations?|surger\w*|procedures|appointments)[^.;]{0,30}(cancel|postpon)"
            r"|(cancel\w*|postpon\w*|halt\w*|suspend\w*)[^.;]{0,30}(operations|surger|"
            r"appointments|procedures)|arrete ses operations"
        ),
        "patients-transferred": (
            r"transf[ae]r\w*[^.;]{0,80}?(patients?|malades|bebes|nouveau-nes|adultes)|(patients?|"
            r"malades|bebes|nouveau-nes)[^.;]{0,80}?transf[ae]r|evacu\w*[^.;]{0,40}patients|"
            r"patients?[^.;]{0,40}evacu"
        ),
        "emergency-diversion": (
            r"urgences?[^.;]{0,60}(fermee|ferme|redirig|reorient|delest|regul|detourn)|(redirig"
            r"\w*|reorient\w*|orientee?s?|regul\w*|delest\w*)[^.;]{0,60}(urgences|samu|autres "
            r"(hopitaux|etablissements))|emergency (department|room|services?|ward)[^.;]{0,40}"
            r"(closed|"
            r"divert|redirect|shut)|(divert\w*|redirect\w*)[^.;]{0,40}(patients|ambulances|"
            r"emergenc)"
        ),
        "downtime-procedures": (
            r"papier|stylo|pen and paper|paper|manuscrit|a la main|by hand|procedures? "
            r"degradees?|fax"
        ),
        "crisis-plan": r"plan blanc|cellule de crise|white plan|crisis (cell|unit|team)",
        "network-isolation": (
            r"(coupe|couper|coupure|deconnect|isol|debranch)\w*[^.;]{0,60}(reseau|internet|"
            r"connexion|connectivite|systeme|informatique|ordinateurs|postes|machines|liaisons?)|"
            r"(liaisons?|reseau|"
            r"internet|ordinateurs|machines|postes|systemes?)[^.;]{0,60}(coupe|deconnect|isole|"
            r"debranch)|plus en reseau|hors ligne|disconnect|isolat|cut off|taken offline|"
            r"offline|\bcut\w*[^.;]{0,40}(internet|network|connectivity|systems?|off)\b|"
            r"debranch\w*|(arrete\w*|eteint\w*|confin\w*|shut down|switched off)[^.;]{0,40}"
            r"(systemes?|serveurs|ordinateurs|informatique|postes|servers|computers|systems?)|"
            r"(ordinateurs|serveurs|postes|systemes?|computers|servers)[^.;]{0,40}(eteint|arrete|"
            r"shut down|switched off)"
        ),
        "service-disruption": (
            r"hors service|au ralenti|mode degrade|paralys|perturb|fonctionnement degrade|"
            r"inaccessibles?|indisponibles?|bloques?|out of service|disrupt|paralyz|crippl|"
            r"ecrans? (d'ordinateur )?noirs?|black screens?|reorganisation totale|tourne au "
            r"ralenti|degraded mode"
        ),
        "systems-encrypted": r"chiffr|cryptes?\b|cryptees?\b|encrypt|verrouill",
        "ransom-demanded": _R,
        "ransom-paid": (
            r"(pai\w+|pay\w*|vers\w+|paid)[^.;]{0,30}(" + _R + r")|(" + _R
            + r")[^.;]{0,30}(payee|versee|paid)|ne (paiera|paierait|payera|payerait|paieront|"
            r"paieraient) pas|ceder\w* (pas )?au chantage|refus\w* de payer|(will|would|did) "
            r"not pay|won't pay|refus\w* to pay"
        ),
        "data-stolen": (
            r"(vol|fuite|exfiltr|derob|subtilis|siphonn|aspir)\w*[^.;]{0,40}donnees?|donnees?"
            r"[^.;]{0,60}(volee?s?|derob|exfiltr|subtilis|siphonn|aspir|piratees?\b)|"
            r"(stole|stolen|exfiltrat|theft)[^.;]{0,40}(data|records|files)|(data|records|"
            r"files)[^.;]{0,40}(stolen|exfiltrated|theft)"
        ),
        "data-published": (
            r"(publi|diffus|mis en ligne|mises en ligne|divulgu|leak)\w*[^.;]{0,60}(donnees?|"
            r"informations|fichiers|documents|data|records)|(donnees?|informations|fichiers|"
            r"data|records)[^.;]{0,60}(publiees|diffusees|mises en ligne|divulguees|leaked|"
            r"published)"
        ),
        "data-offered-for-sale": (
            r"(mis|mises|vendu\w*|vente|sold|sell\w*)[^.;]{0,40}(donnees?|data)|en vente|"
            r"for sale|a vendre"
        ),
    }.items()
}
# Words that count what an impact counts, after the number.
COUNTED = {
    "patients-transferred": r"patient(?:e)?s?|malades|bebes|nouveau-nes|adultes|personnes",
    "operations-cancelled": r"operations?|interventions?|rendez-vous|consultations?",
    "data-stolen": r"patients?|personnes|dossiers|records|people|individuals|fichiers|files",
    "data-published": r"patients?|personnes|dossiers|records|people|fichiers|files",
    "data-offered-for-sale": r"patients?|personnes|dossiers|records|people",
}
TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("ransomware", re.compile(r"rancongiciel|ransomware|" + _R + r"|chiffr|encrypt|lockbit|"
                              r"ryuk|conti\b|vice society|blackcat|rhysida|cryptolocker")),
    ("ddos", re.compile(r"ddos|deni de service|denial[- ]of[- ]service|saturation")),
    ("supply-chain", re.compile(r"prestataire|sous-traitant|fournisseur|supplier|vendor|"
                                r"third[- ]party|editeur de logiciel")),
    ("data-breach", re.compile(r"fuite de donnees?|vol de donnees?|data breach|data leak|"
                               r"exfiltr|donnees?[^.;]{0,40}(volees|derobees|piratees)")),
    ("intrusion", re.compile(r"intrusion|piratage|pirate|hack|cyberattaque|cyber-attaque|"
                             r"cyberattack|cyber attack|attaque informatique|compromi")),
]
ATTACK = re.compile(
    r"ranc?on(?!giciel)|ransom|chiffr|encrypt|attaque|attack|piratage|pirat|hack|rancongiciel|ransomware|victime|vise|cible|frappe|"
    r"touche|intrusion|intrus\b|incident|compromi|breach|struck|hit by|targeted|infect|"
    r"identifiants voles|stolen credentials"
)
HEDGE = re.compile(
    r"\b(semble|semblerait|sembl\w+|pourrai\w*|aurai\w*|serai\w*|probabl\w*|vraisemblabl\w*|"
    r"possibl\w*|peut-etre|soupcon\w*|suspect\w*|presum\w*|suppos\w*|hypothese|piste|"
    r"would|could|may|might|reportedly|allegedly|alleged|appears?|seems?|likely|believed|"
    r"thought to|conditionnel|pas exclu|not ruled out|according to some)\b"
)
UNKNOWN = re.compile(
    r"on ne sait pas|ne sait pas encore|ignore (encore )?si|pas encore (etabli|connu|determine)|"
    r"not (yet )?known|unclear (whether|if)|it is unknown|n'est pas (encore )?connu|reste a "
    r"determiner|sans savoir si|not clear (whether|if)|on ignore|aucune information sur|"
    r"rien n'indique|nothing indicates|no evidence|aucun element"
)
DENIED = re.compile(
    r"\b(n'\w+ pas|ne \w+ pas|aucune?|pas de|rien n'a|no data|no group|no one|did not|has not|"
    r"have not|had not|won't|will not|would not|refus\w*|denied|dementi|dement|ni vol|sans vol|"
    r"avant tout|avant toute|before any|not been claimed)\b"
)
CLAIM = re.compile(
    r"revendiq|claimed|claims? responsibility|took responsibility|a assume|(listed|added|posted)"
    r"[^.;]{0,60}(leak|dark ?web|extortion) (site|blog|page)|(ajoute|inscrit|affiche|liste)\w*"
    r"[^.;]{0,60}(site|blog|liste) (de (ses|leurs) victimes|vitrine)"
)
AUTHORITY = re.compile(
    r"anssi|parquet|procureur|police|gendarmerie|enqueteurs|ministre|ministere|cnil|ars\b|"
    r"agence regionale de sante|justice|cybermalveillance|investigators|prosecutor|authorities|"
    r"autorites|fbi|cert|cyberveille"
)
VICTIM_VOICE = re.compile(r"(la direction|l'hopital|l'etablissement|le directeur|la directrice|"
                          r"communique|the hospital said|hospital management|a indique l'hopital)")
RETROSPECTIVE = re.compile(
    r"une autre (installation|attaque|cyberattaque|hopital|etablissement)|un autre (hopital|"
    r"etablissement|centre)|another (hospital|attack|facility)|quelques mois plus tot|l'an "
    r"dernier|l'annee derniere|last year|earlier this year|precedente?s? (attaque|cyberattaque)|"
    r"comme lors de|deja ete (victime|vise|touche)|rappel|before that|previously|en 20\d\d,"
)
EN_KIND = [
    ("ransomware-group", re.compile(r"rancongiciel|ransomware|" + _R)),
    ("hacktivist", re.compile(r"hacktivis|pro-?russe|pro-?russian|anonymous|militant")),
    ("state-sponsored", re.compile(r"etatique|state[- ]sponsored|etat etranger|nation-state|"
                                   r"services de renseignement")),
]


UNKNOWN_ACTOR = re.compile(
    r"(origine|auteurs?|commanditaires?|responsables?) de (l'attaque|la cyberattaque|l'intrusion)"
    r" (reste|restent|est|sont|demeure)\w* (inconnu|indetermin|ignor)|on ignore (encore )?qui|"
    r"not (yet )?known who|unknown who|unclear who|who was behind[^.;]{0,40}(not known|unclear|"
    r"unknown)|pas (encore )?ete identifie|not (yet )?been identified"
)
ATTACKERS_SAY = re.compile(
    r"(pirates|hackers|attaquants|cybercriminels|groupe|gang|attackers|criminals|group) "
    r"(affirm|pretend|assur|dit|disent|revendiq|claim|say|said|boast)"
)
THREAT = re.compile(
    r"(menac\w* de|threat\w* to|risque de|\bsi (une |la |le |les )?|\bif (a |the )?|"
    r"unless (a |the )?) *$"
)


def status(folded: str, start: int, end: int) -> str:
    """known, suspected, unknown or ruled-out, from the clause around a cue at start..end."""
    left = max(folded.rfind(",", 0, max(0, start - 40)), folded.rfind(";", 0, start), 0)
    clause = folded[left:min(len(folded), end + 40)]
    if UNKNOWN.search(folded[max(0, start - 120):end]):
        return "unknown"
    if DENIED.search(folded[max(0, start - 50):end]):
        return "ruled-out"
    if HEDGE.search(clause) or HEDGE.search(folded[max(0, start - 80):start]):
        return "suspected"
    if ATTACKERS_SAY.search(folded[max(0, start - 80):end]):
        return "suspected"  # 'les pirates affirment avoir dérobé': the attackers' word
    return "known"

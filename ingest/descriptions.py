"""What a sentence itself says about the study it cites: year, journal, design, sample
size, duration and the outcomes it names.

Pure text rules. A sentence "describes a study" only when it names one specific study:
a design in the singular ("a cohort trial", "this meta-analysis"), a journal it was
published in, a sample size, or a dated study ("a 2010 study"). Plural, generic talk
("larger RCTs are necessary", "small studies suggest") is not a description.
"""

from __future__ import annotations

import re

from ingest.types import StudyDescription

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "hundred": 100,
}  # fmt: skip
_NUM = r"(?:\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r")"

# Canonical design names, most specific first; each with the words that say it.
DESIGNS: list[tuple[str, str]] = [
    ("meta-analysis", r"meta[\s-]?analys[ie]s|pooled analysis"),
    ("systematic review", r"systematic (?:literature )?review|umbrella review"),
    ("protocol", r"(?:study|trial) protocol|protocol (?:for|of) (?:a|an|the)"),
    (
        "randomised controlled trial",
        r"randomi[sz]ed(?:,)?(?: double[\s-]blind(?:ed)?,?)?(?: placebo[\s-]controlled,?)?"
        r"(?: controlled)? (?:clinical )?(?:trial|study)|\bRCT\b|"
        r"(?:double|triple)[\s-](?:blind(?:ed)?|masked),? (?:placebo[\s-]controlled )?"
        r"(?:crossover )?(?:trial|study)|placebo[\s-]controlled (?:crossover )?(?:trial|study)",
    ),
    ("crossover trial", r"cross[\s-]?over (?:trial|study)"),
    ("open-label trial", r"open[\s-]label (?:\w+[\s-])?(?:trial|study|extension)"),
    ("pilot", r"pilot (?:trial|study)|feasibility (?:trial|study)"),
    ("case-control", r"case[\s-]control (?:study|analysis)"),
    ("cohort", r"(?:prospective |retrospective )?cohort(?: trial| study| analysis)?"),
    ("cross-sectional", r"cross[\s-]sectional (?:study|survey|analysis)"),
    ("case series", r"case series"),
    ("case report", r"case (?:report|study)|a case of"),
    ("controlled trial", r"controlled (?:clinical )?trial"),
    ("observational", r"observational (?:study|analysis)|registry[\s-]based|register[\s-]based"),
    ("in vitro or animal", r"in vitro|mouse model|rat model|animal (?:study|model)"),
    (
        "review",
        r"(?:narrative|literature|scoping) review|"
        r"(?:(?<=\ba )|(?<=\ban ))(?:recent |brief |critical |comprehensive )?review|"
        r"review article",
    ),
    ("clinical trial", r"clinical trial|\btrial\b"),
]
_DESIGN_RX = [(name, re.compile(rf"\b(?:{rx})\b", re.IGNORECASE)) for name, rx in DESIGNS]

# "A 2010 study", "a cohort trial conducted in 2022", "published in 2019".
_STUDY_NOUN = (
    r"(?:study|trial|review|meta-analysis|analysis|report|series|survey|paper|experiment|"
    r"investigation|research)"
)
_YEAR = r"(19[5-9]\d|20[0-4]\d)"
_YEAR_RX = [
    re.compile(rf"\b{_YEAR}\s+(?:[\w-]+\s+){{0,3}}{_STUDY_NOUN}\b", re.IGNORECASE),
    re.compile(
        rf"\b{_STUDY_NOUN}\s+(?:\w+\s+){{0,4}}(?:conducted|published|performed|carried out|"
        rf"reported|done)\s+in\s+{_YEAR}\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b(?:published|conducted|reported)\s+in\s+{_YEAR}\b", re.IGNORECASE),
    re.compile(rf"\bin\s+{_YEAR},?\s+(?:a|an|one|the)\s+(?:[\w-]+\s+){{0,3}}{_STUDY_NOUN}\b", re.I),
]
_JOURNAL_RX = re.compile(
    r"\b(?:published|appeared|reported)\s+in\s+(?:the\s+)?"
    r"((?:[A-Z][\w'\u2019&.\-]*|of|and|&|the|for|in)(?:\s+(?:[A-Z][\w'\u2019&.\-]*|of|and|&|"
    r"the|for|in))*)"
)
_SINGLE_STUDY = re.compile(
    rf"\b(?:a|an|one|this|that|the|their|our|{_YEAR})\s+(?:[\w-]+\s+){{0,4}}?"
    rf"(?:study|trial|review|meta-analysis|analysis|report|series|survey|cohort)\b(?!s)",
    re.IGNORECASE,
)
_PEOPLE = (
    r"(?:patients|participants|subjects|people|persons|individuals|adults|children|"
    r"adolescents|women|men|volunteers|cases|veterans|infants|residents|users|respondents)"
)
_SAMPLE_RX = [
    re.compile(r"\b[nN]\s*=\s*(\d[\d,]*)"),
    re.compile(
        rf"\b(?:included|enrolled|recruited|involved|involving|including|studied|followed|"
        rf"randomi[sz]ed|treated|of|among|in|with)\s+({_NUM})\s+(?:[\w-]+\s+){{0,3}}?{_PEOPLE}\b",
        re.IGNORECASE,
    ),
    re.compile(
        rf"\b({_NUM})\s+(?:[\w-]+\s+){{0,2}}?{_PEOPLE}\s+(?:were|was|with|who|took)\b", re.I
    ),
]
_UNIT = r"(?:days?|weeks?|months?|years?)"
_DURATION_RX = [
    re.compile(
        rf"\b(?:for|over|during|after|lasting)\s+(?:a\s+period\s+of\s+|up\s+to\s+)?"
        rf"({_NUM}(?:\s*(?:to|-|–|or)\s*{_NUM})?\s+{_UNIT})\b",
        re.IGNORECASE,
    ),
    re.compile(rf"\b({_NUM})[\s-]({_UNIT[3:-1]})(?=[\s-])", re.IGNORECASE),
]
_OUTCOME_VERBS = (
    r"(?:reduced|reduces|reducing|improved|improves|improving|decreased|decreases|lowered|"
    r"alleviated|relieved|eased|increased|enhanced|ameliorated|worsened|normali[sz]ed|"
    r"lessened|prevented|slowed|restored)"
)
_OUTCOME_RX = re.compile(
    rf"\b{_OUTCOME_VERBS}\s+(.+?)(?=\s+(?:in|among|for|with|compared|versus|vs|after|at|by|"
    rf"over|than|when|while|during|who|which)\b|[.;:\[(]|,\s+(?:but|while|which|although)\b|$)",
    re.IGNORECASE,
)
_IMPROVEMENT_RX = re.compile(
    r"\b(?:improvements?|reductions?|decreases?|increases?|changes?|benefits?)\s+in\s+(.+?)"
    r"(?=,?\s+(?:among|compared|versus|after|at|but|while)\b|[.;:\[(]|$)",
    re.IGNORECASE,
)
_STRIP_WORDS = re.compile(
    r"^(?:the|a|an|its|their|overall|significantly|both|also|further|markedly|"
    r"substantially|greatly)\s+",
    re.IGNORECASE,
)


def _number(token: str) -> int | None:
    token = token.lower().replace(",", "")
    if token.isdigit():
        return int(token)
    return _NUMBER_WORDS.get(token)


def find_design(text: str) -> str | None:
    """The most specific design the text names, or None."""
    for name, rx in _DESIGN_RX:
        if rx.search(text):
            return name
    return None


def _singular_design(text: str) -> str | None:
    # A design counts only when the sentence talks about one study, not trials in general.
    for name, rx in _DESIGN_RX:
        for m in rx.finditer(text):
            after = text[m.end() : m.end() + 2]
            if after[:1].lower() == "s" and after[1:2] in ("", " ", ",", ".", ")"):
                continue  # "trials", "RCTs", "studies"
            before = text[max(0, m.start() - 60) : m.start()]
            if re.search(
                r"\b(?:lack|absence|need|more|larger|future|further|few)\b[^.]*$", before, re.I
            ):
                continue
            return name
    return None


def find_year(text: str) -> int | None:
    for rx in _YEAR_RX:
        m = rx.search(text)
        if m:
            return int(next(g for g in m.groups() if g))
    return None


def find_journal(text: str) -> str | None:
    m = _JOURNAL_RX.search(text)
    if not m:
        return None
    words = m.group(1).split()
    while words and words[-1].lower() in {"of", "and", "&", "the", "for", "in"}:
        words.pop()  # "the Journal of Pain found" stops at the first lower-case verb
    journal = " ".join(words).rstrip(".,")
    if not journal or journal[0].isdigit() or re.fullmatch(_YEAR, journal):
        return None
    return journal


def find_sample_size(text: str) -> int | None:
    for rx in _SAMPLE_RX:
        for m in rx.finditer(text):
            n = _number(m.group(1))
            # "in 2022 patients" is almost always a year.
            if n is None or (m.group(0).lower().startswith("in ") and 1900 <= n <= 2100):
                continue
            return n
    return None


def find_duration(text: str) -> str | None:
    m = _DURATION_RX[0].search(text)
    if m:
        return re.sub(r"\s+", " ", m.group(1)).strip()
    m = _DURATION_RX[1].search(text)
    if m:
        n = m.group(1)
        unit = m.group(2).lower()
        return f"{n} {unit}s" if _number(n) != 1 else f"{n} {unit}"
    return None


def _split_list(phrase: str) -> list[str]:
    phrase = re.sub(r"\[\d[^\]]*\]", "", phrase)
    parts = re.split(r",\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*&\s*", phrase)
    out = []
    for p in parts:
        p = p.strip(" .,;")
        while True:
            q = _STRIP_WORDS.sub("", p)
            if q == p:
                break
            p = q
        # "reduced X and improved Y": the second verb belongs to the next outcome.
        p = _STRIP_WORDS.sub("", re.sub(rf"^{_OUTCOME_VERBS}\s+", "", p, flags=re.I))
        p = re.sub(r"\s+measures$", "", p) if len(p.split()) > 2 else p
        p = re.sub(r",?\s+among other \w+$", "", p)
        if p and len(p.split()) <= 6:
            out.append(p)
    return out


def find_outcomes(text: str) -> list[str]:
    """Outcomes the sentence says changed: "reduced pain and improved quality of life"
    gives ["pain", "quality of life"]."""
    found: list[str] = []
    for rx in (_OUTCOME_RX, _IMPROVEMENT_RX):
        for m in rx.finditer(text):
            for item in _split_list(m.group(1)):
                # "improved symptoms and quality of life" -> two items; a chained verb
                # ("reduced X and improved Y") is picked up by its own match.
                head = re.split(rf"\s+{_OUTCOME_VERBS}\s+", item, flags=re.I)[0]
                if head and head.lower() not in (f.lower() for f in found):
                    found.append(head)
    return found


def describe_study(text: str) -> StudyDescription | None:
    """What ``text`` says about one study, or None when it describes none."""
    if not text or not text.strip():
        return None
    desc = StudyDescription(
        year=find_year(text),
        journal=find_journal(text),
        design=_singular_design(text),
        sample_size=find_sample_size(text),
        duration=find_duration(text),
    )
    names_a_study = bool(_SINGLE_STUDY.search(text)) or desc.journal or desc.sample_size
    if desc.design == "clinical trial" and not names_a_study:
        desc.design = None
    if desc.is_empty() or not (names_a_study or desc.design):
        return None
    desc.outcomes = find_outcomes(text)
    return desc

"""A figure's `source`: the subject of its reporting verb or the object of 'according to', never
the dateline that opens the story."""

import pytest

from extractor.components.facts import dateline_ranges

PUBLISHED = "2024-07-10"


@pytest.mark.parametrize("text, dateline", [
    ("LONDON — The Home Office said", "LONDON —"),
    ("NAIROBI, Kenya (Reuters) — The agency", "NAIROBI, Kenya (Reuters) —"),
    ("McALLEN, Texas — Agents said", "McALLEN, Texas —"),
    ("WASHINGTON (AP) -- Officials", "WASHINGTON (AP) --"),
    ("Border report\nSAN DIEGO, Calif. — Agents", "SAN DIEGO, Calif. —"),
    ("Athens, Greece (Wire) - The coastguard", "Athens, Greece (Wire) -"),
    ("Madrid – Spain deported", "Madrid –"),  # title case, at the very start of the text
])
def test_datelines_are_found(text, dateline):
    assert [text[start:end] for start, end in dateline_ranges(text)] == [dateline]


@pytest.mark.parametrize("text", [
    "Home Office figures - published today - show a rise.",
    "Story\nThe agency - which runs the camps - said 400 left.",
    "Arrivals rose — the ministry said 300 came.",
])
def test_text_that_is_no_dateline(text):
    assert dateline_ranges(text) == []


def _sources(extractor, text: str) -> dict[str, str | None]:
    return {f["text"]: f["source"] for f in extractor.extract(text, published=PUBLISHED)["facts"]}


@pytest.mark.parametrize("text, figure, source", [
    # a dateline is never the speaker; the reporting verb's subject is
    ("NAIROBI, Kenya (Reuters) — The UN refugee agency said on Monday that 40,000 people had "
     "fled the fighting in May.", "40,000", "UN"),
    ("LONDON — More than 1,200 people crossed the Channel in small boats on Saturday, the Home "
     "Office said.", "1,200", "Home Office"),
    ("McALLEN, Texas — U.S. Border Patrol said agents apprehended 2,400 migrants on Sunday.",
     "2,400", "U.S. Border Patrol"),
    # a dateline and no attribution: no source
    ("ATHENS, Greece (AP) — Coast guard officials rescued 86 migrants off Lesbos on Sunday.",
     "86", None),
    ("Madrid – Spain deported 3,100 people last year, the interior ministry reported.",
     "3,100", None),
    # 'according to' takes the organisation anywhere in its object
    ("According to the latest data from the Department of Homeland Security, agents made "
     "150,000 arrests in March.", "150,000", "Department of Homeland Security"),
    ("Canada will admit 485,000 permanent residents in 2024, according to figures released by "
     "Immigration, Refugees and Citizenship Canada.", "485,000",
     "Immigration, Refugees and Citizenship Canada"),
    # ...but not a name reached only through a verb that does not report
    ("Ottawa plans to admit 20,000 refugees next year, according to a draft plan obtained by "
     "Reuters.", "20,000", None),
    # a coordinated reporting verb shares its subject
    ("Home Secretary Yvette Cooper visited Dover on Monday and said 4,000 people would be "
     "returned.", "4,000", "Yvette Cooper"),
    # an explicit 'according to' outranks a verb that may not report
    ("According to the Tourism Board of Jersey, Saint Helier adds 12,000 seasonal workers each "
     "summer.", "12,000", "Tourism Board of Jersey"),
    # reporting verbs beyond 'say'
    ("Martin Okello, the agency's regional director, noted that 2,300 families had returned in "
     "June.", "2,300", "Martin Okello"),
    ("The Red Cross warned that 15,000 people could be displaced by the floods.", "15,000",
     "Red Cross"),
    ('"We have resettled 900 refugees this year," Maria Lopez added.', "900", "Maria Lopez"),
    # the name the subject's head is, not a possessor in front of it
    ("The EU's border agency Frontex reported 54,000 irregular crossings in the first quarter.",
     "54,000", "Frontex"),
])
def test_source(extractor, text, figure, source):
    assert _sources(extractor, text)[figure] == source

"""Self-contained HTML views of extractions (displaCy's entity style), optionally against gold."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from .labels import GROUPS as LABEL_GROUPS, declared_labels, names_in
from .report import display_number, display_value
from .labels import FIGURE_LABELS, LABELS
from .scoring import ERROR_KINDS, LEVELS, Score, SpanError, match_spans, score_document

# colours and legend groups from the label declaration (models/labels.json)
COLOURS = {spec.name: spec.colour for spec in declared_labels()}
GROUPS = {group: names_in(declared_labels(), group) for group in LABEL_GROUPS}
_ATTRIBUTES = ("canonical", "role", "value", "currency", "when", "when_rule", "source", "where")

CSS = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; margin: 2rem auto;
       max-width: 70rem; color: #222; line-height: 1.5; padding: 0 1rem; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
.text { white-space: pre-wrap; line-height: 2.4; font-size: 1rem; }
mark.entity { padding: 0.2em 0.35em; margin: 0 0.1em; border-radius: 0.35em; line-height: 1;
              position: relative; box-decoration-break: clone; -webkit-box-decoration-break: clone; }
mark.entity .label { font-size: 0.6em; font-weight: bold; text-transform: uppercase;
                     vertical-align: middle; margin-left: 0.4rem; color: #333; }
mark.entity .tip { display: none; position: absolute; left: 0; top: 1.9em; z-index: 2;
                   background: #222; color: #fff; padding: 0.3em 0.5em; border-radius: 0.3em;
                   font-size: 0.75rem; white-space: nowrap; line-height: 1.3; }
mark.entity:hover .tip { display: block; }
mark.entity .attrs { font-size: 0.7em; margin-left: 0.3rem; color: #333; }
mark.entity .kinds { font-size: 0.6em; font-weight: bold; margin-left: 0.3rem; color: #fff;
                     background: #b71c1c; padding: 0 0.3em; border-radius: 0.2em; }
mark.fp { outline: 2px dashed #d32f2f; }
mark.fn { background: #fff !important; outline: 2px dotted #555; opacity: 0.8; }
mark.value { outline: 2px solid #ef6c00; }
#errors-only:checked ~ section.doc.clean, #errors-only:checked ~ table.index tr.clean
  { display: none; }
#errors-only:checked ~ section.doc mark.tp { background: none !important; padding: 0; margin: 0; }
#errors-only:checked ~ section.doc mark.tp > span { display: none; }
label.toggle { font-weight: bold; margin-left: 0.3rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.legend mark { margin-right: 0.6rem; } .muted { color: #666; font-size: 0.85rem; }
"""


# the page needs no script, no fetch, no frame: only its own inline styles and SVG
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")


@dataclass
class DocumentView:
    """One document to render: its text, predicted spans and optional gold spans."""

    doc_id: str
    text: str
    predicted: list[dict]
    gold: list[dict] | None = None
    published: str | None = None

    @property
    def facts(self) -> list[dict]:
        return [span for span in self.predicted if span["label"] in FIGURE_LABELS]


def _e(value: object) -> str:
    """Any value as HTML text or attribute content: every value reaching the page goes
    through here (labels and statuses too, whatever a gold or prediction file holds)."""
    return html.escape(str(value), quote=True)


def _tooltip(span: dict) -> str:
    parts = [f"{key}: {span[key]}" for key in _ATTRIBUTES if key in span]
    return "; ".join(parts) or span["label"]


# the scorer's kinds a matched span can have; TYPE: a span that only a span of another
# label overlaps (the scorer counts an FP and an FN)
_MATCHED_KINDS = ("BOUNDARY", "VALUE", "CURRENCY", "WHEN")
TYPE_KIND = "TYPE"


@dataclass
class Mark:
    """One span drawn in the text: its status against gold (pred without gold; tp, value:
    matched, with the scorer's error kinds if any; fp, fn) and what the tooltip adds."""

    span: dict
    status: str
    kinds: tuple[str, ...] = ()
    note: str = ""


def _inline(span: dict) -> str:
    """What the small label after a span says: value, period, canonical name if different."""
    parts = []
    if "value" in span:
        parts.append(display_value(span))
    if span.get("when"):
        parts.append(f"when {span['when']}")
    if span.get("canonical") and span["canonical"] != span.get("text"):
        parts.append(f"→ {span['canonical']}")
    return " · ".join(str(part) for part in parts)


def _mark(text: str, mark: Mark) -> str:
    span = mark.span
    tip = _tooltip(span) + (f" | {mark.note}" if mark.note else "")
    label, status, kinds = _e(span["label"]), _e(mark.status), _e(" ".join(mark.kinds))
    colour = COLOURS.get(span["label"], "#ddd")
    inline = _inline(span)
    return (f'<mark class="entity {status}" data-label="{label}" data-status="{status}" '
            f'data-kinds="{kinds}" style="background: {colour}" title="{_e(tip)}">'
            f'{_e(text[span["start"]:span["end"]])}'
            f'<span class="label">{label}</span>'
            + (f'<span class="attrs">{_e(inline)}</span>' if inline else "")
            + (f'<span class="kinds">{kinds}</span>' if mark.kinds else "")
            + f'<span class="tip">{_e(tip)}</span></mark>')


def _overlaps(a: dict, b: dict) -> bool:
    return a["start"] < b["end"] and b["start"] < a["end"]


def _marks(view: DocumentView, errors: list[SpanError]) -> tuple[list[Mark], list[Mark]]:
    """The marks to draw, and the misses that cannot be drawn (they overlap a drawn span).
    Error kinds come from the scorer's own errors, so the page says what --errors says."""
    if view.gold is None:
        return sorted((Mark(span, "pred") for span in view.predicted),
                      key=lambda mark: (mark.span["start"], mark.span["end"])), []
    found = {(error.kind, error.label, error.start, error.end) for error in errors}
    matches = {pi: gi for gi, pi in match_spans(view.gold, view.predicted)}
    matched_gold = set(matches.values())
    missed = [g for gi, g in enumerate(view.gold) if gi not in matched_gold]
    marks = []
    for index, span in enumerate(view.predicted):
        if index not in matches:  # TYPE: it overlaps a missed gold span of another label
            other = next((g for g in missed
                          if _overlaps(g, span) and g["label"] != span["label"]), None)
            marks.append(Mark(span, "fp", (TYPE_KIND,), f"gold: {_tooltip(other)} "
                              f"({other['label']})") if other else
                         Mark(span, "fp", ("FP",), "not in gold"))
            continue
        gold = view.gold[matches[index]]
        kinds = tuple(kind for kind in _MATCHED_KINDS
                      if (kind, gold["label"], gold["start"], gold["end"]) in found)
        marks.append(Mark(span, "value" if kinds else "tp", kinds,
                          f"gold {gold['start']}-{gold['end']}: {_tooltip(gold)}" if kinds else ""))
    hidden = []
    for gold in missed:
        other = next((m.span for m in marks if _overlaps(gold, m.span)), None)
        if other is not None:
            kind = TYPE_KIND if other["label"] != gold["label"] else "FN"
            hidden.append(Mark(gold, "fn", (kind,), f"predicted {other['label']}"))
        else:
            marks.append(Mark(gold, "fn", ("FN",), "missed"))
    marks.sort(key=lambda mark: (mark.span["start"], mark.span["end"]))
    return marks, hidden


def render_text(view: DocumentView, errors: list[SpanError] = ()) -> tuple[str, list[Mark]]:
    """The text with its marks, and the marks that could not be drawn in it."""
    marks, hidden = _marks(view, list(errors))
    pieces, cursor = [], 0
    for mark in marks:
        if mark.span["start"] < cursor:
            hidden.append(mark)
            continue
        pieces.append(html.escape(view.text[cursor:mark.span["start"]]))
        pieces.append(_mark(view.text, mark))
        cursor = mark.span["end"]
    pieces.append(html.escape(view.text[cursor:]))
    return "".join(pieces), hidden


def _facts_table(facts: list[dict]) -> str:
    if not facts:
        return '<p class="muted">No figures.</p>'
    rows = "".join(
        f"<tr><td>{_e(f['label'])}</td><td class='num'>{_e(display_number(f['value']))}</td>"
        f"<td>{html.escape(str(f.get('currency') or ''))}</td>"
        f"<td>{html.escape(str(f.get('when') or ''))}</td><td>{_e(f['text'])}</td>"
        f"<td>{html.escape(str(f.get('source') or ''))}</td></tr>" for f in facts)
    return ("<table class='facts'><tr><th>label</th><th>value</th><th>currency</th>"
            f"<th>when</th><th>text</th><th>source</th></tr>{rows}</table>")


def scores_table(scores: dict, labels: bool = True) -> str:
    head = "<tr><th>level</th><th>label</th><th>P</th><th>R</th><th>F1</th><th>tp</th>" \
           "<th>pred</th><th>gold</th></tr>"
    rows = []
    for level in LEVELS:
        for label in ("micro",) + (LABELS if labels else ()):
            if label in scores[level]:
                row = scores[level][label]
                rows.append(f"<tr><td>{_e(level) if label == 'micro' else ''}</td>"
                            f"<td>{_e(label)}</td>"
                            + "".join(f"<td class='num'>{row[k]:.3f}</td>" for k in "prf")
                            + "".join(f"<td class='num'>{row[k]}</td>"
                                      for k in ("tp", "pred", "gold")) + "</tr>")
    return f"<table class='scores'>{head}{''.join(rows)}</table>"


def bar_chart(scores: dict, level: str = "mentions_lenient") -> str:
    """Inline SVG: precision, recall and F1 per label at one level."""
    labels = [label for label in LABELS if label in scores[level]]
    bar, gap, height = 14, 18, 180
    width = 40 + len(labels) * (3 * bar + gap)
    colours = {"p": "#4e79a7", "r": "#f28e2b", "f": "#59a14f"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 60}" '
             f'role="img" aria-label="{level} by label">',
             f'<line x1="24" y1="{height}" x2="{width}" y2="{height}" stroke="#999"/>']
    for tick in (0, 0.5, 1.0):
        y = height - tick * (height - 10)
        parts.append(f'<text x="0" y="{y + 4:.0f}" font-size="10">{tick:.1f}</text>')
    x = 30
    for label in labels:
        for key in "prf":
            value = scores[level][label][key]
            top = height - value * (height - 10)
            parts.append(f'<rect x="{x}" y="{top:.1f}" width="{bar - 2}" '
                         f'height="{height - top:.1f}" fill="{colours[key]}">'
                         f'<title>{label} {key}={value:.3f}</title></rect>')
            x += bar
        parts.append(f'<text x="{x - 2 * bar}" y="{height + 14}" font-size="10" '
                     f'transform="rotate(35 {x - 2 * bar} {height + 14})">{label}</text>')
        x += gap
    parts.append(f'<text x="30" y="{height + 55}" font-size="11">'
                 '<tspan fill="#4e79a7">■ precision</tspan> <tspan fill="#f28e2b">■ recall'
                 '</tspan> <tspan fill="#59a14f">■ F1</tspan></text></svg>')
    return "".join(parts)


def _legend() -> str:
    marks = " ".join(
        f'<span class="muted">{group}:</span> ' + "".join(
            f'<mark class="entity" style="background: {COLOURS[label]}">{label}</mark>'
            for label in labels) for group, labels in GROUPS.items())
    return (f'<p class="legend">{marks}</p><p class="muted">Solid: matches gold; '
            '<span style="outline: 2px dashed #d32f2f">dashed red</span>: not in gold; '
            '<span style="outline: 2px solid #ef6c00">orange</span>: matched with an error; '
            '<span style="outline: 2px dotted #555">dotted</span>: missed. After each span: '
            'its label, value, period (when) and canonical name; in red, the scorer\'s error '
            'kinds (BOUNDARY, VALUE, CURRENCY, WHEN, FP, FN; TYPE: only a span of another '
            'label overlaps it). Hover a highlight for every attribute and the gold one.</p>')


def _document_index(views: list[DocumentView], errors: dict[str, list[SpanError]]) -> str:
    """A row per document: a link to it and its errors by the scorer's kinds."""
    counts = {view.doc_id: Counter(error.kind for error in errors.get(view.doc_id, []))
              for view in views}
    kinds = [kind for kind in ERROR_KINDS if any(kind in c for c in counts.values())]
    head = "".join(f"<th>{_e(kind)}</th>" for kind in ("document", "errors", *kinds))
    rows = []
    for view in views:
        count = counts[view.doc_id]
        clean = " class='clean'" if view.gold is not None and not count else ""
        cells = "".join(f"<td class='num'>{count.get(kind, 0) or ''}</td>" for kind in kinds)
        rows.append(f"<tr{clean}><td><a href=\"#{_e(quote(view.doc_id, safe=''))}\">"
                    f"{_e(view.doc_id)}</a></td><td class='num'>{sum(count.values())}</td>"
                    f"{cells}</tr>")
    return f"<table class='index'><tr>{head}</tr>{''.join(rows)}</table>"


def render_page(views: list[DocumentView], title: str, corpus_scores: dict | None = None) -> str:
    """The whole page: optional corpus scores and chart; against gold, an index of the
    documents with their errors and an errors-only switch (CSS only: the page runs no
    script); then every document."""
    scores = {}
    for view in views:
        if view.gold is not None:
            scores[view.doc_id] = score = Score()
            score_document(score, view.doc_id, view.gold, view.predicted)
    errors = {doc_id: score.errors for doc_id, score in scores.items()}
    body = [f"<h1>{html.escape(title)}</h1>", _legend()]
    if corpus_scores is not None:
        body += ["<h2>Scores</h2>", scores_table(corpus_scores),
                 "<h3>Mentions (lenient) by label</h3>", bar_chart(corpus_scores),
                 "<h3>Values by label</h3>", bar_chart(corpus_scores, "values")]
    if scores:
        body += ['<input type="checkbox" id="errors-only">',
                 '<label class="toggle" for="errors-only">Errors only</label> '
                 '<span class="muted">(hides documents without errors and the correct '
                 'marks)</span>', "<h2>Documents</h2>", _document_index(views, errors)]
    for view in views:
        text, hidden = render_text(view, errors.get(view.doc_id, ()))
        clean = " clean" if view.doc_id in scores and not errors[view.doc_id] else ""
        published = f" · published {_e(view.published)}" if view.published else ""
        body.append(f'<section class="doc{clean}"><h2 id="{html.escape(view.doc_id)}">'
                    f'{html.escape(view.doc_id)}<span class="muted">{published}</span></h2>')
        if view.doc_id in scores:
            body.append(scores_table(scores[view.doc_id].as_dict(), labels=False))
        body.append(f'<div class="text">{text}</div>')
        if hidden:
            items = "".join(f"<li>{_e(m.span['label'])} {_e(repr(m.span.get('text')))} at "
                            f"{_e(m.span['start'])}: {_e(' '.join(m.kinds) or m.status)}"
                            f"{' (' + _e(m.note) + ')' if m.note else ''}</li>" for m in hidden)
            body.append("<p class='muted'>Not drawn (overlapping another span):</p>"
                        f"<ul>{items}</ul>")
        body.append("<h3>Facts</h3>" + _facts_table(view.facts) + "</section>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>")

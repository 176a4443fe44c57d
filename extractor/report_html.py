"""Self-contained HTML views of extractions (displaCy's entity style), optionally against gold."""

from __future__ import annotations

import html
from dataclasses import dataclass

from .labels import GROUPS as LABEL_GROUPS, declared_labels, names_in
from .schema import FIGURE_LABELS, LABELS
from .scoring import LEVELS, Score, match_spans, score_document, values_agree

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
mark.fp { outline: 2px dashed #d32f2f; }
mark.fn { background: #fff !important; outline: 2px dotted #555; opacity: 0.8; }
mark.value { outline: 2px solid #ef6c00; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
.legend mark { margin-right: 0.6rem; } .muted { color: #666; font-size: 0.85rem; }
"""


# the page needs no script, no fetch, no frame: only its own inline styles and SVG
CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, (int, float)) and not isinstance(value, bool) \
        else str(value)


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


def _mark(text: str, span: dict, status: str, note: str = "") -> str:
    tip = _tooltip(span) + (f" | {note}" if note else "")
    label = _e(span["label"])
    colour = COLOURS.get(span["label"], "#ddd")
    return (f'<mark class="entity {_e(status)}" data-label="{label}" data-status="{_e(status)}" '
            f'style="background: {colour}" title="{_e(tip)}">'
            f'{_e(text[span["start"]:span["end"]])}'
            f'<span class="label">{label}</span>'
            f'<span class="tip">{html.escape(tip)}</span></mark>')


def _statuses(view: DocumentView) -> tuple[list[tuple[dict, str, str]], list[dict]]:
    """Spans to draw with their status (tp/fp/value/fn), and misses that cannot be drawn."""
    if view.gold is None:
        return [(span, "pred", "") for span in view.predicted], []
    matches = dict((pi, gi) for gi, pi in match_spans(view.gold, view.predicted, lambda g, p: True))
    drawn = []
    for index, span in enumerate(view.predicted):
        if index not in matches:
            drawn.append((span, "fp", "not in gold"))
            continue
        gold = view.gold[matches[index]]
        same = values_agree(gold.get("value"), span.get("value")) and \
            gold.get("when") == span.get("when") and gold.get("canonical") == span.get("canonical")
        drawn.append((span, "tp" if same else "value",
                      "" if same else "gold: " + _tooltip(gold)))
    matched_gold = set(matches.values())
    hidden = []
    for index, gold in enumerate(view.gold):
        if index in matched_gold:
            continue
        if any(gold["start"] < s["end"] and s["start"] < gold["end"] for s, _, _ in drawn):
            hidden.append(gold)
        else:
            drawn.append((gold, "fn", "missed"))
    drawn.sort(key=lambda item: (item[0]["start"], item[0]["end"]))
    return drawn, hidden


def render_text(view: DocumentView) -> tuple[str, list[dict]]:
    drawn, hidden = _statuses(view)
    pieces, cursor = [], 0
    for span, status, note in drawn:
        if span["start"] < cursor:
            hidden.append(span)
            continue
        pieces.append(html.escape(view.text[cursor:span["start"]]))
        pieces.append(_mark(view.text, span, status, note))
        cursor = span["end"]
    pieces.append(html.escape(view.text[cursor:]))
    return "".join(pieces), hidden


def _facts_table(facts: list[dict]) -> str:
    if not facts:
        return '<p class="muted">No figures.</p>'
    rows = "".join(
        f"<tr><td>{_e(f['label'])}</td><td class='num'>{_e(_number(f['value']))}</td>"
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
            '<span style="outline: 2px solid #ef6c00">orange</span>: wrong value; '
            '<span style="outline: 2px dotted #555">dotted</span>: missed. '
            'Hover a highlight for its value, canonical name and date.</p>')


def render_page(views: list[DocumentView], title: str, corpus_scores: dict | None = None) -> str:
    """The whole page: optional corpus scores and chart, then every document."""
    body = [f"<h1>{html.escape(title)}</h1>", _legend()]
    if corpus_scores is not None:
        body += ["<h2>Scores</h2>", scores_table(corpus_scores),
                 "<h3>Mentions (lenient) by label</h3>", bar_chart(corpus_scores),
                 "<h3>Values by label</h3>", bar_chart(corpus_scores, "values")]
    for view in views:
        text, hidden = render_text(view)
        published = f" · published {_e(view.published)}" if view.published else ""
        body.append(f'<h2 id="{html.escape(view.doc_id)}">{html.escape(view.doc_id)}'
                    f'<span class="muted">{published}</span></h2>')
        if view.gold is not None:
            score = Score()
            score_document(score, view.doc_id, view.gold, view.predicted)
            body.append(scores_table(score.as_dict(), labels=False))
        body.append(f'<div class="text">{text}</div>')
        if hidden:
            items = "".join(f"<li>{_e(s['label'])} {_e(repr(s['text']))} "
                            f"at {_e(s['start'])}</li>" for s in hidden)
            body.append(f"<p class='muted'>Missed, overlapping a prediction:</p><ul>{items}</ul>")
        body.append("<h3>Facts</h3>" + _facts_table(view.facts))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head>"
            f"<body>{''.join(body)}</body></html>")

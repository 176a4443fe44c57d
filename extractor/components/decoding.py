"""Bulk decoding of spaCy's greedy transition-based models: the entity recognizer (BILUO moves)
and the dependency parser (arc-eager moves), with each model's own layers and arithmetic.

spaCy decodes a batch by stepping each state through its transition loop, which cost most of
the NER's and the parser's time on this machine's wheels (18 to 85 microseconds a state and
step, against a fraction of that for the matrix products). Here every step is a few array
operations over all the batch's states at once; the moves, their validity and their effects
are spaCy's (`spacy/pipeline/_parser_internals/ner.pyx`, `arc_eager.pyx`, `_state.pxd`), and
tests check the output against spaCy's own decoder. A model of another shape, or a state these
decoders do not reproduce, raises `Unsupported`, and the caller hands the batch to spaCy.
"""

from __future__ import annotations

from typing import Iterator

import numpy
from blis.py import gemm  # spaCy's decoder multiplies with blis whatever thinc's ops are
from spacy.attrs import DEP, HEAD, IS_SPACE, SENT_START
from spacy.pipeline._parser_internals.nonproj import deprojectivize
from spacy.tokens import Doc

from .attributes import groups


class Unsupported(Exception):
    """A model or a parser state the bulk decoder does not reproduce."""


class _TransitionWeights:
    """A greedy transition model's layers (token vectors, the precomputed hidden layer, the
    output layer) and its move names, for models with `n_features` state features."""

    n_features = 0
    letters = ""  # the first letters of the move names this decoder knows

    def __init__(self, pipe):
        self.tok2vec, self.lower, self.upper = pipe.model.layers
        self.names = [pipe.moves.get_class_name(index) for index in range(pipe.moves.n_moves)]
        self.kinds = numpy.array([self.letters.index(name[0]) for name in self.names])

    @classmethod
    def of(cls, pipe):
        """The decoder of `pipe`, or None when its model is not one this decoder covers."""
        model = pipe.model
        try:
            lower, upper = model.get_ref("lower"), model.get_ref("upper")
            covered = (pipe.cfg.get("beam_width") == 1 and model.attrs.get("has_upper")
                       and not model.attrs.get("unseen_classes")
                       and lower.get_dim("nF") == cls.n_features and lower.get_dim("nP") >= 2
                       and upper.get_param("W").shape[0] == pipe.moves.n_moves
                       and all(pipe.moves.get_class_name(index)[0] in cls.letters
                               for index in range(pipe.moves.n_moves)))
        except (KeyError, ValueError, AttributeError):
            return None
        return cls(pipe) if covered else None

    def features(self, docs: list[Doc]) -> numpy.ndarray:
        """(1 + tokens, features, hidden x pieces): row 1 + t is token t of the batch (the
        documents one after another), row 0 the padding of a missing feature."""
        cached = self.lower.predict(self.tok2vec.predict(docs))
        return cached.reshape(cached.shape[0], cached.shape[1], -1)

    def scores(self, summed: numpy.ndarray) -> numpy.ndarray:
        """Move scores of states whose feature rows add up to `summed` (in spaCy's order:
        the features one by one, then the bias; the maxout; the output layer)."""
        bias = self.lower.get_param("b").reshape(-1)
        pieces = (summed + bias).reshape(len(summed), -1, self.lower.get_dim("nP"))
        hidden = pieces[:, :, 0]
        for piece in range(1, pieces.shape[2]):  # numpy's max over a short last axis is slow
            hidden = numpy.maximum(hidden, pieces[:, :, piece])
        scores = gemm(numpy.ascontiguousarray(hidden), self.upper.get_param("W"), trans2=True)
        scores += self.upper.get_param("b")
        return scores


BATCH_TOKENS = 4096  # tokens decoded together: their feature rows (about 1.5 KB a token for
# the NER, 4 KB for the parser) stay a few MB however large the pipeline's batch


def token_batches(docs: list[Doc], by_length: bool = False) -> Iterator[list[Doc]]:
    """The documents in groups of at most BATCH_TOKENS tokens (a longer one alone), shortest
    first when `by_length` (a parse takes as many steps as its longest document needs)."""
    return groups(sorted(docs, key=len) if by_length else docs, max(len(docs), 1),
                  BATCH_TOKENS, len)


def _batch_layout(docs: list[Doc]) -> tuple[numpy.ndarray, numpy.ndarray]:
    lengths = numpy.array([len(doc) for doc in docs])
    return lengths, numpy.concatenate(([0], numpy.cumsum(lengths)[:-1]))


# -- the entity recognizer ------------------------------------------------------------------
BEGIN, IN, LAST, UNIT, OUT = range(5)


class BiluoDecoder(_TransitionWeights):
    """Entities as spaCy's greedy NER finds them, for documents with none preset.

    Outside an entity the features are the token and two padding rows, so the Begin/Unit/Out
    decision at every such token comes from one matrix product over the batch; inside one,
    only In and Last of the entity's label are valid, and those few tokens are stepped, for
    all the batch's entities at once."""

    n_features = 3
    letters = "BILUO"

    def __init__(self, pipe):
        super().__init__(pipe)
        self.labels = [name[2:] if "-" in name else "" for name in self.names]
        # for each move, the index of In and of Last of its label (-1: no label), the moves
        # valid inside an entity that move opens
        self.inside, self.closing = (numpy.array(
            [self.names.index(f"{letter}-{label}") if label else -1 for label in self.labels])
            for letter in "IL")
        labelled = numpy.array([bool(label) for label in self.labels])
        self.may_begin = (self.kinds == BEGIN) & labelled
        self.may_unit = (self.kinds == UNIT) & labelled
        self.may_out = self.kinds == OUT

    def decode(self, docs: list[Doc]) -> list[list[tuple[int, int, str]]]:
        """(start, end, label) of each document's entities, in token offsets."""
        lengths, offsets = _batch_layout(docs)
        features = self.features(docs)
        space = numpy.concatenate([doc.to_array([IS_SPACE]).reshape(-1) for doc in docs]) == 1
        starts = numpy.concatenate([doc.to_array([SENT_START]).reshape(-1) for doc in docs])
        last = numpy.zeros(len(starts), dtype=bool)
        last[offsets + lengths - 1] = True
        # after these tokens no entity goes on: the document ends or a sentence starts
        stops = last | (numpy.append(starts[1:] == 1, False) & ~last)
        outside = self.scores(features[1:, 0] + features[0, 1] + features[0, 2])
        valid = (self.may_out[None, :]
                 | (self.may_unit[None, :] & ~space[:, None])
                 | (self.may_begin[None, :] & ~(space | stops)[:, None]))
        outside[~valid] = -numpy.inf
        choice = outside.argmax(axis=1)
        opening = numpy.flatnonzero(self.kinds[choice] != OUT)
        begins = opening[self.kinds[choice[opening]] == BEGIN]
        ends = dict(zip(begins.tolist(), self._entity_ends(features, begins, choice, stops)))
        documents = numpy.searchsorted(offsets + lengths, opening, side="right").tolist()
        entities: list[list[tuple[int, int, str]]] = [[] for _ in docs]
        resume = 0  # the first token not inside an entity already decoded
        for token, document in zip(opening.tolist(), documents):
            if token < resume:
                continue
            resume = ends.get(token, token + 1)
            base = int(offsets[document])
            entities[document].append((token - base, resume - base, self.labels[choice[token]]))
        return entities

    def _entity_ends(self, features: numpy.ndarray, firsts: numpy.ndarray,
                     choice: numpy.ndarray, stops: numpy.ndarray) -> list[int]:
        """The end (exclusive) of the entity each of `firsts` would begin, all stepped at
        once (a Begin inside an earlier entity is computed too, and not used): at each token
        the features are (token, the entity's first token, the token before), and only In
        and Last of the entity's label are valid."""
        inside, closing = self.inside[choice[firsts]], self.closing[choice[firsts]]
        ends = firsts + 1
        token = firsts + 1
        going = numpy.arange(len(firsts))
        while len(going):
            at, first = token[going], firsts[going]
            scores = self.scores(features[at + 1, 0] + features[first + 1, 1]
                                 + features[at, 2])
            rows = numpy.arange(len(going))
            go_in, close = scores[rows, inside[going]], scores[rows, closing[going]]
            # In needs a next token in the same sentence; the first of equal best scores
            # wins, as in spaCy's arg_max_if_valid
            go_on = ~stops[at] & ((go_in > close) | ((go_in == close)
                                                     & (inside[going] < closing[going])))
            ends[going[~go_on]] = at[~go_on] + 1
            token[going] += 1
            going = going[go_on]
        return ends.tolist()


# -- the dependency parser ------------------------------------------------------------------
SHIFT, REDUCE, LEFT, RIGHT, BREAK = range(5)


class ArcEagerDecoder(_TransitionWeights):
    """Heads and labels as spaCy's greedy arc-eager parser assigns them, every state of the
    batch stepped at once. Arcs are only ever removed from the end of their head's list of
    right arcs (a re-attached stack top), which is what lets one array per head stand for
    that list; any other removal raises `Unsupported`."""

    n_features = 8
    letters = "SDLRB"

    def __init__(self, pipe):
        super().__init__(pipe)
        strings = pipe.vocab.strings
        self.label_hashes = numpy.array([strings.add(name[2:]) if "-" in name else 0
                                         for name in self.names], dtype="uint64")
        self.root = pipe.moves.root_label

    def annotate(self, docs: list[Doc]) -> None:
        """Set each document's heads and dependency labels, as the parser component does."""
        for group in token_batches([doc for doc in docs if len(doc)], by_length=True):
            self._annotate(group)

    def _annotate(self, docs: list[Doc]) -> None:
        heads, labels = self.decode(docs)
        for index, doc in enumerate(docs):
            size = len(doc)
            head, label = heads[index, :size], labels[index, :size]
            attached = head >= 0
            array = numpy.zeros((size, 2), dtype="uint64")
            array[:, 0] = numpy.where(attached, head - numpy.arange(size), 0).astype("uint64")
            array[:, 1] = numpy.where(attached, self.label_hashes[label], self.root)
            doc.from_array([HEAD, DEP], array)
            deprojectivize(doc)

    def decode(self, docs: list[Doc]) -> tuple[numpy.ndarray, numpy.ndarray]:
        """(documents, longest) arrays: each token's head (-1: none) and label move index."""
        lengths, offsets = _batch_layout(docs)
        count, width = len(docs), int(lengths.max()) + 1
        features = self.features(docs)
        positions = features.shape[1]
        rows_of = features.reshape(-1, features.shape[2])  # row (1 + t) * positions + f
        sent_start = numpy.zeros((count, width), dtype="int64")
        for index, doc in enumerate(docs):
            sent_start[index, :len(doc)] = doc.to_array([SENT_START]).reshape(-1)
        state = _ArcEagerStates(count, width, sent_start == 1, sent_start == -1)
        active = numpy.flatnonzero(lengths > 0)
        for _ in range(8 * width):  # a word is pushed, popped and re-buffered a few times
            if not len(active):
                break
            step = state.view(active, lengths)
            rows = offsets[active] + 1
            summed = None
            for position, token in enumerate(step.context()):
                row = rows_of.take(numpy.where(token >= 0, token + rows, 0) * positions
                                   + position, axis=0)
                summed = row if summed is None else summed + row
            scores = self.scores(summed)
            valid = step.valid()[:, self.kinds]
            if not valid.any(axis=1).all():
                raise Unsupported("a parser state with no valid move")
            scores[~valid] = -numpy.inf
            moves = scores.argmax(axis=1)
            step.apply(self.kinds[moves], moves)
            active = active[~state.final(active, lengths)]
        else:
            raise Unsupported("a parse that does not end")
        return state.heads, state.labels


class _ArcEagerStates:
    """The arc-eager states of a batch as arrays (one row a document): stack, re-buffer
    (stack tops moved back by Reduce), buffer index, heads and labels, the unshiftable and
    sentence-start marks, and each head's last left and right child."""

    def __init__(self, count: int, width: int, preset_starts: numpy.ndarray,
                 cannot_start: numpy.ndarray):
        def table(fill, dtype="int64"):
            return numpy.full((count, width), fill, dtype=dtype)

        self.stack, self.rebuffer = table(-1), table(-1)
        self.depth, self.redepth = numpy.zeros(count, "int64"), numpy.zeros(count, "int64")
        self.next_word = numpy.zeros(count, "int64")
        self.heads, self.labels = table(-1), table(0)
        self.unshiftable, self.breaks = table(False, bool), table(False, bool)
        self.preset_starts, self.cannot_start = preset_starts, cannot_start
        self.last_left, self.last_right, self.previous_right = table(-1), table(-1), table(-1)

    def view(self, active: numpy.ndarray, lengths: numpy.ndarray) -> "_Step":
        return _Step(self, active, lengths[active])

    def final(self, active: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
        return (self.depth[active] <= 0) & (
            lengths[active] - self.next_word[active] + self.redepth[active] == 0)


class _Step:
    """One step of the active states: what they look at, which moves are valid, the moves."""

    def __init__(self, states: _ArcEagerStates, active: numpy.ndarray, lengths: numpy.ndarray):
        self.states, self.active, self.lengths = states, active, lengths
        s = states
        self.depth, self.redepth = s.depth[active], s.redepth[active]
        self.next_word = s.next_word[active]
        self.b0, self.b1 = self.buffer(0), self.buffer(1)
        self.s0 = self.on_stack(0)

    def buffer(self, i: int) -> numpy.ndarray:
        """B(i): the re-buffer's top items first, then the unread words (-1: none)."""
        rebuffered = self.states.rebuffer[self.active, numpy.maximum(self.redepth - 1 - i, 0)]
        word = self.next_word + (i - self.redepth)
        return numpy.where(self.redepth > i, rebuffered,
                           numpy.where(word < self.lengths, word, -1))

    def on_stack(self, i: int) -> numpy.ndarray:
        item = self.states.stack[self.active, numpy.maximum(self.depth - 1 - i, 0)]
        return numpy.where(self.depth > i, item, -1)

    def of(self, table: numpy.ndarray, word: numpy.ndarray, missing=-1) -> numpy.ndarray:
        return numpy.where(word >= 0, table[self.active, numpy.maximum(word, 0)], missing)

    def context(self) -> list[numpy.ndarray]:
        """The eight features in spaCy's order: B0, B1, S0, S1, S2, L(B0), L(S0), R(S0)."""
        s = self.states
        return [self.b0, self.b1, self.s0, self.on_stack(1), self.on_stack(2),
                self.of(s.last_left, self.b0), self.of(s.last_left, self.s0),
                self.of(s.last_right, self.s0)]

    def valid(self) -> numpy.ndarray:
        """(states, 5): whether Shift, Reduce, Left, Right and Break are valid."""
        s = self.states
        buffered = self.lengths - self.next_word + self.redepth
        starts = [self.of(s.preset_starts, word, False) | self.of(s.breaks, word, False)
                  for word in (self.b0, self.b1)]
        shift = (self.depth == 0) | ((buffered >= 2) & ~starts[0]
                                     & ~self.of(s.unshiftable, self.b0, False))
        reduce = (self.depth > 0) & ((buffered == 0) | ~(
            (self.depth == 1) & self.of(s.cannot_start, self.b0, False)))
        arc = (self.depth > 0) & (buffered > 0) & ~starts[0]
        split = ((buffered >= 2) & (self.b1 == self.b0 + 1) & ~starts[1]
                 & ~self.of(s.cannot_start, self.b1, False))
        return numpy.stack([shift, reduce, arc, arc, split], axis=1)

    def apply(self, kinds: numpy.ndarray, moves: numpy.ndarray) -> None:
        s, rows = self.states, self.active
        reduce = kinds == REDUCE
        if reduce.any():
            row, top = rows[reduce], self.s0[reduce]
            back = (s.heads[row, top] < 0) & (self.depth[reduce] != 1)  # unshift
            s.unshiftable[row[back], top[back]] = True
            s.rebuffer[row[back], s.redepth[row[back]]] = top[back]
            s.redepth[row[back]] += 1
            s.depth[row] -= 1
        left = kinds == LEFT
        if left.any():
            row, head, child = rows[left], self.b0[left], self.s0[left]
            self._attach(row, head, child, moves[left])
            s.unshiftable[row, head] = False
            s.depth[row] -= 1
        right = kinds == RIGHT
        if right.any():
            self._attach(rows[right], self.s0[right], self.b0[right], moves[right])
        breaks = kinds == BREAK
        s.breaks[rows[breaks], self.b1[breaks]] = True
        self._push(numpy.flatnonzero((kinds == SHIFT) | right))

    def _attach(self, row, head, child, moves) -> None:
        """add_arc: a child's earlier head loses it (the end of that head's right arcs)."""
        s = self.states
        earlier = s.heads[row, child]
        moved = earlier >= 0
        if moved.any():
            r, old, kid = row[moved], earlier[moved], child[moved]
            if ((old > kid) | (s.last_right[r, old] != kid)).any():
                raise Unsupported("an arc removed from inside its head's list")
            s.last_right[r, old] = s.previous_right[r, kid]
        s.heads[row, child], s.labels[row, child] = head, moves
        leftward = head > child
        s.last_left[row[leftward], head[leftward]] = child[leftward]
        r, h, c = row[~leftward], head[~leftward], child[~leftward]
        s.previous_right[r, c] = s.last_right[r, h]
        s.last_right[r, h] = c

    def _push(self, chosen: numpy.ndarray) -> None:
        """push: B0 onto the stack, from the re-buffer if it holds any."""
        s = self.states
        row = self.active[chosen]
        from_rebuffer = self.redepth[chosen] > 0
        s.redepth[row[from_rebuffer]] -= 1
        s.next_word[row[~from_rebuffer]] += 1
        s.stack[row, s.depth[row]] = self.b0[chosen]
        s.depth[row] += 1

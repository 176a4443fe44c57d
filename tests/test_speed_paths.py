"""The fast paths give the records of the plain ones: worker processes, either thinc ops."""

import ctypes
import inspect
import multiprocessing

import pytest
from conftest import python_output

from extractor.io import Document
from extractor.memory import glibc_mallopt
from extractor.pipeline import Extractor, build_nlp

TEXTS = [
    "LISBON, March 3, 2025 - Portugal granted 4,200 residence permits to Brazilian workers "
    "in February, the Agency for Integration, Migration and Asylum said on Monday.",
    "Chilean police stopped 37 people crossing from Bolivia near Colchane last week.",
    "No figure and no date here, only the Red Cross.",
    "Canada will admit 395,000 permanent residents in 2025, down from 485,000 in 2024, "
    "Immigration Minister Marc Miller said.",
] * 3


def _documents() -> list[Document]:
    return [Document(doc_id=f"t{i}", text=text, published="2025-03-04")
            for i, text in enumerate(TEXTS)]


def test_two_worker_processes_give_the_same_records_in_order(extractor):
    alone = list(extractor.extract_many(_documents()))
    parallel = Extractor(nlp=extractor.nlp, n_process=2, batch_size=2)
    assert list(parallel.extract_many(_documents())) == alone
    assert any(record["spans"] for record in alone)


def test_blis_and_numpy_ops_give_the_same_records():
    blis = Extractor(ops="blis")
    numpy = Extractor(ops="numpy")
    assert [_uses_blis(e) for e in (blis, numpy)] == [True, False]
    assert list(blis.extract_many(_documents())) == list(numpy.extract_many(_documents()))


def _uses_blis(extractor: Extractor) -> bool:
    """Whether the NER's model multiplies with blis."""
    return extractor.nlp.get_pipe("ner").model.ops.use_blis


def test_unknown_ops_are_refused():
    with pytest.raises(ValueError, match="numpy, blis"):
        build_nlp(ops="cupy")


def test_the_base_senter_is_not_loaded_and_sentences_come_from_migrex(extractor):
    """The base package's sentence recogniser is excluded at load (models/pipeline.json):
    migrex's own sentence components split the text."""
    assert "senter" not in extractor.nlp.component_names
    doc = _sentences_before_syntax(extractor, "Rome admitted 900 refugees. Madrid took 450.\n"
                                              "Athens update")
    assert [sent.text for sent in doc.sents if sent.text.strip()] == [
        "Rome admitted 900 refugees.", "Madrid took 450.", "Athens update"]


def _sentences_before_syntax(extractor, text: str):
    """`text` through the pipeline up to (not including) migrex_syntax."""
    doc = extractor.nlp.make_doc(text)
    for name, component in extractor.nlp.pipeline:
        if name == "migrex_syntax":
            break
        doc = component(doc)
    return doc


def test_only_sentences_with_a_figure_or_a_tensed_date_are_parsed(extractor):
    syntax = extractor.nlp.get_pipe("migrex_syntax")
    doc = _sentences_before_syntax(
        extractor, "Dutch asylum rules tightened\nThe Hague received 3,100 claims. The law "
                   "dates from 2016. Ministers meet again on Thursday. Nothing else changed.")
    chosen = [doc[start:end].text for start, end in syntax.chosen(doc)]
    assert chosen == ["The Hague received 3,100 claims.", "Ministers meet again on Thursday."]


def test_sentences_left_unparsed_get_flat_trees_and_keep_their_bounds(extractor):
    text = ("Kenya hosts refugees from Somalia. Officials counted 4,500 new arrivals in June. "
            "The camp lies near Dadaab.")
    before = [(s.start, s.end) for s in _sentences_before_syntax(extractor, text).sents]
    doc = extractor.nlp(text)
    assert [(s.start, s.end) for s in doc.sents] == before
    first, figure, last = doc.sents
    for sentence in (first, last):
        assert all(token.head.i == sentence.start for token in sentence)
        assert sentence[0].dep_ == "ROOT" and {t.dep_ for t in sentence[1:]} == {"dep"}
        assert not any(token.pos_ or token.lemma_ for token in sentence)
    assert figure.root.lemma_ == "count" and figure.root.pos_ == "VERB"


def test_cached_lemmas_are_the_lemmatizers_own(extractor):
    from extractor.components.syntax import CachedLemmas

    nlp = extractor.nlp
    syntax = nlp.get_pipe("migrex_syntax")
    lemmas = CachedLemmas(nlp.get_pipe("lemmatizer"))
    texts = ["Greece returned 230 asylum seekers, and the islands were hosting fewer of them.",
             "The returned seekers said they had been returning for years; 40 were children."]
    for text in texts * 2:  # the second round comes from the cache
        ours, theirs = nlp.make_doc(text), nlp.make_doc(text)
        for doc in (ours, theirs):
            nlp.get_pipe("tok2vec")(doc)
            nlp.get_pipe("tagger")(doc)
            syntax.pos_of_tag(doc)
        nlp.get_pipe("lemmatizer")(theirs)
        assert [t.lemma_ for t in lemmas(ours)] == [t.lemma_ for t in theirs]
        assert "return" in [t.lemma_ for t in ours]


def test_indexed_lemma_lists_give_a_plain_lemmatizers_lemmas_and_save_the_same(extractor):
    """The lemma index's word lists answer `in` from a set (_WordList): the lemmas of words the
    cache has not seen are those of a freshly loaded lemmatizer, whose lists are plain, and
    the lemmatizer still saves the same bytes."""
    import spacy

    from extractor.components.syntax import CachedLemmas, _WordList
    from extractor.pipeline import pipeline_config

    nlp, base = extractor.nlp, spacy.load(pipeline_config()["base_model"])
    syntax = nlp.get_pipe("migrex_syntax")
    lemmas = CachedLemmas(nlp.get_pipe("lemmatizer"))
    texts = ["Smugglers ferried 58 passengers across the straits in overloaded dinghies.",
             "Caseworkers were processing the backlogged applications of overstayers faster.",
             "Coastguards intercepted boats carrying Eritreans, whose claims courts reviewed."]
    found = set()
    for text in texts:
        ours, theirs = nlp.make_doc(text), base.make_doc(text)
        for doc, pipes in ((ours, nlp), (theirs, base)):
            pipes.get_pipe("tok2vec")(doc)
            pipes.get_pipe("tagger")(doc)
            syntax.pos_of_tag(doc)
        base.get_pipe("lemmatizer")(theirs)
        assert [t.lemma_ for t in lemmas(ours)] == [t.lemma_ for t in theirs]
        found |= {token.lemma_ for token in ours}
    assert {"smuggler", "ferry", "dinghy", "intercept", "claim"} <= found
    indexed = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    plain = base.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    assert all(isinstance(words, _WordList) for words in indexed.values())
    assert not any(isinstance(words, _WordList) for words in plain.values())
    assert indexed.to_bytes() == plain.to_bytes()


def test_line_breaks_start_sentences_wherever_they_fall():
    import spacy

    from extractor.components.sentences import line_sentences

    nlp = spacy.blank("en")
    text = ("\nQuito, Ecuador\n \nRefugees arrive\r\n• 1,200 in May\n\n- Colombia's border "
            "stays open\nEnd\n")
    doc = line_sentences(nlp.make_doc(text))
    starts = [token.text for token in doc if token.is_sent_start and token.i > 0]
    assert starts == ["Quito", "Refugees", "•", "-", "End"]
    assert not any(token.is_sent_start for token in doc if token.is_space and token.i > 0)


def test_line_sentences_leave_numpy_masked_arrays_unloaded():
    """numpy.unique imports numpy.ma (about 20 ms of a one-article run): not used there."""
    probe = ("import sys, spacy\n"
             "from extractor.components.sentences import line_sentences\n"
             "doc = line_sentences(spacy.blank('en').make_doc('Title\\n\\nBody one.\\nTwo'))\n"
             "print([t.text for t in doc if t.is_sent_start], 'numpy.ma' in sys.modules)\n")
    assert python_output(probe).split() == ["['Title',", "'Body',", "'Two']", "False"]


def test_the_console_command_freezes_the_heap_before_the_interpreter_exits():
    """`run` (the console script) leaves the heap frozen, so the exit's final collections do
    not walk the loaded pipeline; the command's output and exit status are unchanged."""
    probe = ("import atexit, gc, sys\n"
             "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
             "sys.argv = ['migrex', '--version']\n"
             "from extractor.cli import run\n"
             "run()\n")
    version = __import__("extractor").__version__
    assert python_output(probe).splitlines() == [f"migrex {version}", "frozen True"]


def test_workers_fork_from_a_frozen_heap_and_the_collector_is_restored_after(extractor):
    import gc

    assert gc.get_freeze_count() == 0
    records = Extractor(nlp=extractor.nlp, n_process=2, batch_size=2).extract_many(_documents())
    first = next(records)  # the workers are forked by now
    assert gc.get_freeze_count() > 0
    assert len([first, *records]) == len(TEXTS)
    assert gc.get_freeze_count() == 0


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]


def _heap_free_after_a_chunk(block: int, blocks: int) -> tuple[int, int]:
    """In a worker: `blocks` blocks of `block` bytes allocated, written and freed, as a chunk's
    arrays are; (bytes of them that were mmapped, bytes left free in the heap after)."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    libc.mallinfo2.restype = _MallInfo2
    mapped_before = libc.mallinfo2().hblkhd
    pointers = [libc.malloc(block) for _ in range(blocks)]
    for pointer in pointers:
        ctypes.memset(pointer, 1, block)
    mapped = libc.mallinfo2().hblkhd - mapped_before
    for pointer in reversed(pointers):
        libc.free(pointer)
    return mapped, libc.mallinfo2().fordblks


GLIBC = pytest.mark.skipif(glibc_mallopt() is None, reason="glibc's malloc only")


@GLIBC
def test_a_workers_heap_keeps_what_a_chunk_freed_for_the_next_one():
    """90 MB of 30 MB arrays come from the heap and stay there once freed (glibc's adaptive
    defaults mmap such arrays, or give back more than 64 MB of free heap)."""
    from extractor.pipeline import _start_worker

    with multiprocessing.get_context("fork").Pool(1, initializer=_start_worker) as pool:
        mapped, free = pool.apply(_heap_free_after_a_chunk, (30 << 20, 3))
    assert mapped == 0
    assert free >= 90 << 20


@GLIBC
def test_the_console_commands_heap_keeps_what_a_batch_freed():
    """`run` sets malloc up as the workers are before the command runs (here `--version`)."""
    probe = ("import atexit, ctypes, sys\n" + inspect.getsource(_MallInfo2)
             + inspect.getsource(_heap_free_after_a_chunk)
             + "atexit.register(lambda: print(*_heap_free_after_a_chunk(30 << 20, 3)))\n"
               "sys.argv = ['migrex', '--version']\n"
               "from extractor.cli import run\n"
               "run()\n")
    version, heap = python_output(probe).splitlines()
    mapped, free = map(int, heap.split())
    assert version == f"migrex {__import__('extractor').__version__}"
    assert mapped == 0
    assert free >= 90 << 20


@pytest.mark.parametrize("libc", [None, ValueError, AttributeError])
def test_without_glibc_the_allocator_is_left_alone(monkeypatch, libc):
    """No glibc (confstr has no value, does not know the name, or does not exist): no call."""
    from extractor import memory

    def confstr(name):
        if libc is None:
            return None
        raise libc(name)

    def no_library(*args):
        raise AssertionError("the C library was opened")

    monkeypatch.setattr(memory.os, "confstr", confstr)
    monkeypatch.setattr(memory.ctypes, "CDLL", no_library)
    assert memory.keep_freed_memory() is False


def test_the_last_chunks_are_spread_over_the_workers_in_order():
    from extractor.pipeline import _last_spread

    def pieces(*sizes):
        return [(Document(doc_id=f"d{size}-{i}", text="x" * size), 0)
                for i, size in enumerate(sizes)]

    first, second, last = pieces(50, 50), pieces(20, 20, 20, 40), pieces(30, 10, 10, 20, 30)
    spread = list(_last_spread(iter([first, second, last]), 2))
    assert spread[0] == first  # the last two chunks are cut in two of about equal size
    assert [sum(len(p.text) for p, _ in part) for part in spread[1:]] == [60, 40, 50, 50]
    assert [piece for part in spread for piece in part] == first + second + last
    assert list(_last_spread(iter([pieces(7)]), 3)) == [pieces(7)]
    assert list(_last_spread(iter([]), 2)) == []
    assert len(list(_last_spread(iter([pieces(5, 5, 5, 5)]), 4))) == 4


def test_blas_threads_are_limited_while_analysing_and_the_callers_limit_comes_back(extractor):
    from threadpoolctl import threadpool_info, threadpool_limits

    from extractor.pipeline import pipeline_config

    def blas_threads() -> set[int]:
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}

    seen = []

    class Watching(Extractor):
        def _analyse_group(self, group):
            seen.append(blas_threads())
            yield from super()._analyse_group(group)

    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        assert list(Watching(nlp=extractor.nlp).extract_many(_documents()))
        assert blas_threads() == before == {2}
    assert seen and all(threads == {pipeline_config()["blas_threads"]} for threads in seen)


def test_the_date_grammar_is_compiled_when_the_component_is_made():
    """Before any document, so forked workers inherit it instead of each compiling it."""
    from extractor.normalize import timex
    from extractor.tokenizer import blank_english

    timex.rules.cache_clear()
    blank_english().add_pipe("migrex_dates")
    assert timex.rules.cache_info().currsize == 1


def test_extraction_does_not_build_the_gold_files_pydantic_models():
    """The extract path (the CLI, the library, the pipeline) leaves extractor.schema unloaded:
    its models cost about 70 ms of a one-article start-up."""
    probe = ("import sys\n"
             "import extractor.cli, extractor.api, extractor.pipeline, extractor.output\n"
             "print(sorted(m for m in ('extractor.schema', 'extractor.validate') "
             "if m in sys.modules))\n")
    assert python_output(probe).strip() == "[]"


def test_the_collector_is_paused_while_the_pipeline_is_built_and_comes_back(monkeypatch):
    import gc

    import extractor.pipeline as pipeline

    states = []
    monkeypatch.setattr(pipeline, "_build_nlp", lambda *args: states.append(gc.isenabled()))
    assert gc.isenabled()
    pipeline.build_nlp()
    assert states == [False] and gc.isenabled()
    gc.disable()  # a caller's own choice is kept
    try:
        pipeline.build_nlp()
        assert not gc.isenabled()
    finally:
        gc.enable()

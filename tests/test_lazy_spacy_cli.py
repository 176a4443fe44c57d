"""spaCy imported by migrex leaves its command line unimported until something asks for it."""

import pytest
from conftest import python_output


def _run(probe: str) -> list[str]:
    return python_output(probe).split()


def test_migrex_pipeline_imports_spacy_without_its_command_line():
    probe = ("import sys\n"
             "import extractor.pipeline\n"
             "print('spacy' in sys.modules, any(m in sys.modules for m in "
             "('spacy.cli', 'spacy.cli.info', 'weasel', 'requests', 'httpx')),\n"
             "      any(type(f).__module__ == 'extractor.lazy_spacy_cli'\n"
             "          for f in sys.meta_path))\n")
    assert _run(probe) == ["True", "False", "False"]  # and the finder is gone


def test_spacy_info_and_spacys_command_line_still_work_afterwards():
    probe = ("import sys\n"
             "import extractor.pipeline, spacy\n"
             "print(spacy.info()['spacy_version'] == spacy.__version__)\n"
             "import spacy.cli\n"
             "from spacy.cli.info import info\n"
             "print(sys.modules['spacy.cli.info'].__file__.endswith('info.py'),\n"
             "      info.__module__, callable(spacy.cli.download))\n")
    assert _run(probe) == ["True", "True", "spacy.cli.info", "True"]


@pytest.mark.parametrize("first", ["import spacy.cli.info", "import spacy; import spacy.cli"])
def test_spacys_command_line_imported_first_by_the_caller_is_the_real_one(first):
    probe = (f"import sys, extractor\n{first}\n"
             "import spacy\n"
             "print(sys.modules['spacy.cli.info'].__file__.endswith('info.py'),"
             " spacy.cli.info.__module__, spacy.info.__module__)\n")
    # spaCy's own spacy.cli.info is the function (spacy.cli imports it over the module)
    assert _run(probe) == ["True", "spacy.cli.info", "extractor.lazy_spacy_cli"]


def test_nothing_is_deferred_when_spacy_came_first():
    probe = ("import spacy, extractor, extractor.pipeline\n"
             "print(spacy.info.__module__)\n")
    assert _run(probe) == ["spacy.cli.info"]

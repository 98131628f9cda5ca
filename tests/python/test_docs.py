"""The docs name real files: every repository path written in the project's comments and docs exists."""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT_DIR

DOCUMENTS = ["dbt_project.yml", "README.md", "CONTRIBUTING.md", ".sqlfluff", "Makefile", "profiles/profiles.yml"]
DOCUMENTS += [str(path.relative_to(PROJECT_DIR)) for path in sorted((PROJECT_DIR / "docs").glob("*.md"))]
# A path into one of the project's folders, ending in a file name with an extension.
PATH = re.compile(
    r"(?<![\w/.<])((?:macros|models|seeds|tests|customer_pyramid|examples|benchmarks|docs|profiles)"
    r"/[\w./-]*\w\.(?:sql|py|yml|csv|md|txt))"
)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_path_a_document_names_exists(document):
    text = (PROJECT_DIR / document).read_text()
    missing = sorted({path for path in PATH.findall(text) if not (PROJECT_DIR / path).exists()})
    assert not missing, f"{document} names files that do not exist: {missing}"

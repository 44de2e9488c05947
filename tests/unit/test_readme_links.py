"""Every document the README points a newcomer to ships with the project: a link that leaves
the repository (`../shared/...`) is a page no user has."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_in_the_readme_and_docs_is_a_file_in_the_project():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for page in pages:
        for target in _LINK.findall(page.read_text()):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (page.parent / target).resolve()
            assert path.is_relative_to(ROOT), f"{page.name} links outside the project: {target}"
            assert path.is_file(), f"{page.name} links to a missing file: {target}"
            checked += 1
    assert checked >= 3  # the README links docs/simulator.md, docs/vtpass.md and docs/cli.md

"""The layers of the project, from bottom to top: core < accounts < boundaries < gazetteer < tiles < web
< config. A module imports only from its own app or from a lower layer; core imports no app at all.

Every .py file of the apps (not migrations, not tests) is parsed, and every import in it is read,
at the top of the module or inside a function. A lower layer that needs a higher one inverts the
dependency: the higher app registers with it from its AppConfig.ready() (changeset kinds,
core.reports lines), or a model refers to another app's model by name ("boundaries.AdminUnit").
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import NamedTuple

PROJECT_DIR = Path(__file__).resolve().parent.parent
LAYERS = ("core", "accounts", "boundaries", "gazetteer", "tiles", "web", "config")
SCANNED = LAYERS[:-1]  # config wires everything together and may import any app
SKIPPED_FOLDERS = {"migrations", "tests", "__pycache__"}

# Edges that break the rule and are being removed right now, as (importing module, imported module).
# test_being_removed_lists_only_edges_that_still_exist fails when one has gone, so that the list empties
# as they go; nothing else may be added here. It held ("gazetteer.services.places", "tiles.vector.hooks")
# and ("boundaries.services.units", "tiles.vector.hooks") until f89926b, where the tiles came to follow
# record changes by subscribing to core.events (tiles.apps) instead of being called.
BEING_REMOVED: set[tuple[str, str]] = set()


class Import(NamedTuple):
    module: str  # the importing module, e.g. gazetteer.services.places
    imported: str  # e.g. tiles.vector.hooks
    where: str  # file:line

    def breaks_the_layers(self) -> bool:
        importer, target = self.module.split(".")[0], self.imported.split(".")[0]
        if target not in LAYERS or target == importer:
            return False
        return LAYERS.index(target) > LAYERS.index(importer)

    def __str__(self) -> str:
        return f"{self.module} imports {self.imported} ({self.where})"


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every absolute import in the file, wherever it stands (a relative one stays in its app)."""
    module, found = module_name(path), []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        where = f"{path.relative_to(PROJECT_DIR)}:{node.lineno}"
        found += [Import(module, name, where) for name in names]
    return found


def app_files() -> list[Path]:
    return [
        path
        for app in SCANNED
        for path in sorted((PROJECT_DIR / app).rglob("*.py"))
        if not SKIPPED_FOLDERS & set(path.relative_to(PROJECT_DIR).parts)
    ]


def upward_imports() -> list[Import]:
    return [found for path in app_files() for found in imports_of(path) if found.breaks_the_layers()]


def test_the_scan_reads_every_app():
    files = app_files()
    assert {module_name(path).split(".")[0] for path in files} == set(SCANNED)
    assert len(files) > 100
    assert not any("migrations" in path.parts for path in files)


def test_no_module_imports_from_a_higher_layer():
    wrong = [found for found in upward_imports() if (found.module, found.imported) not in BEING_REMOVED]
    assert wrong == [], "imports from a higher layer (" + " < ".join(LAYERS) + "):\n" + "\n".join(map(str, wrong))


def test_being_removed_lists_only_edges_that_still_exist():
    existing = {(found.module, found.imported) for found in upward_imports()}
    gone = sorted(BEING_REMOVED - existing)
    assert gone == [], f"these imports are gone: take them out of BEING_REMOVED: {gone}"

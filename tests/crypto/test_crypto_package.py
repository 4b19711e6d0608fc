"""Package rules for crypto/: what it may import, and what every module opens with."""

import ast
import importlib
import sys
from pathlib import Path

import pytest

import crypto.errors

# Found through a submodule: with tests/ on sys.path (for tests/conftest.py), the
# directory tests/crypto can shadow the top-level name ``crypto`` as a namespace package.
PACKAGE = Path(crypto.errors.__file__).parent
MODULES = sorted(p for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
ALLOWED_THIRD_PARTY = {"cryptography", "argon2", "pyotp", "crypto"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_stdlib_and_crypto_packages(path: Path) -> None:
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "use absolute imports"
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY, name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_has_docstring_and_all(path: Path) -> None:
    tree = _tree(path)
    docstring = ast.get_docstring(tree)
    assert docstring, "module docstring missing"
    module = importlib.import_module(f"crypto.{path.stem}")
    assert module.__all__
    for name in module.__all__:
        assert hasattr(module, name), name


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_stays_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 150


def test_package_init_is_only_a_docstring() -> None:
    tree = _tree(PACKAGE / "__init__.py")
    assert len(tree.body) == 1
    assert ast.get_docstring(tree)

"""The serving path never imports the training stack (STYLE item 1)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HEAVY = ("torch", "transformers", "mlflow", "sklearn", "onnx")

SCRIPT = """
import sys
import frontdesk
from frontdesk import IntentClassifier
from frontdesk.cli import main
c = IntentClassifier.load(sys.argv[1])
assert c.predict("refund my invoice").label == "billing"
c.predict_batch(["rain", "hello"])
main(["inspect", sys.argv[1]])
heavy = [m for m in {heavy!r} if m in sys.modules]
print("HEAVY=" + ",".join(heavy))
"""


def test_import_and_predict_load_no_training_library(artifact: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY), str(artifact)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "HEAVY=\n" in out.stdout or out.stdout.rstrip().endswith("HEAVY="), out.stdout


def test_runtime_source_imports_only_allowed_packages() -> None:
    src = Path(__file__).resolve().parents[2] / "inference" / "src" / "frontdesk"
    allowed = {"numpy", "onnxruntime", "tokenizers", "frontdesk", "__future__"}
    allowed |= set(sys.stdlib_module_names)
    for path in src.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                tops = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                assert top in allowed, f"{path.name}:{node.lineno} imports {top}"


COMPLEXITY_SCRIPT = """
import sys
from frontdesk.complexity import ComplexityClassifier
from frontdesk.cli import main
c = ComplexityClassifier.load(sys.argv[1])
assert c.predict("prove the theorem").tier == "complex"
main(["classify", "--artifact", sys.argv[1], "hello", "prove it"])
print("HEAVY=" + ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def test_complexity_head_loads_no_training_library(complexity_artifact: Path) -> None:
    script = COMPLEXITY_SCRIPT.format(heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", script, str(complexity_artifact)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.rstrip().endswith("HEAVY="), out.stdout

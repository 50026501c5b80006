"""The serving path never imports the training stack (STYLE item 1)."""

from __future__ import annotations

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
    allowed = {"numpy", "onnxruntime", "tokenizers", "frontdesk"}
    stdlib = set(sys.stdlib_module_names)
    for path in src.rglob("*.py"):
        for line in path.read_text().splitlines():
            words = line.split()
            if len(words) >= 2 and words[0] in {"import", "from"}:
                top = words[1].split(".")[0].rstrip(",")
                assert top in allowed | stdlib | {"__future__"}, f"{path.name} imports {top}"

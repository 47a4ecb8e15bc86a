"""Train the Rasa model only when its inputs changed: ``python -m ops.model``.

The fingerprint covers config.yml, domain.yml, every file under data/ and the Rasa
version; it is stored next to the model. A matching fingerprint skips training.
Training prints one progress line; Rasa's own output goes to the log (LOG_DIR).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from importlib.metadata import version
from pathlib import Path

from ops.progress import StepFailed, run_quietly
from payhelp.settings import PROJECT_ROOT, VAR_DIR, Settings

MODEL_DIR = PROJECT_ROOT / "models"
MODEL_NAME = "payhelp"
MODEL_PATH = MODEL_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODEL_DIR / f"{MODEL_NAME}.fingerprint"


# Rasa's log lines that say how far training is.
TRAINING_STAGE = r"(Validating \w+|Starting to train component '\w+'|Finished training component '\w+'|model is trained)"


def training_inputs(root: Path = PROJECT_ROOT) -> list[Path]:
    files = [root / "config.yml", root / "domain.yml"]
    files += sorted(p for p in (root / "data").rglob("*") if p.is_file())
    return files


def fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256(f"rasa {version('rasa')}\n".encode())
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def rasa_env() -> dict[str, str]:
    """The environment every rasa command of ours runs with."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_CACHE_DIRECTORY": str(VAR_DIR / "rasa-cache"),
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # endpoints.yml names it; empty (Rasa's in-memory lock store) unless scaled.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
    }


def ensure_model(force: bool = False, log_dir: Path | None = None) -> Path:
    """The current model, trained first if the inputs changed since the last one."""
    wanted = fingerprint()
    current = FINGERPRINT_PATH.read_text().strip() if FINGERPRINT_PATH.exists() else ""
    if MODEL_PATH.exists() and current == wanted and not force:
        print(f"model is up to date ({MODEL_PATH.relative_to(PROJECT_ROOT)})")
        return MODEL_PATH
    MODEL_DIR.mkdir(exist_ok=True)
    log_dir = log_dir or Path(Settings.from_env().log_dir)
    run_quietly(
        [
            sys.executable, "-m", "rasa", "train",
            "--config", "config.yml", "--domain", "domain.yml", "--data", "data",
            "--out", str(MODEL_DIR), "--fixed-model-name", MODEL_NAME,
        ],
        log_dir / "train.log",
        "training the Rasa model (data, domain or config changed)",
        hint=TRAINING_STAGE,
        env=rasa_env(),
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    FINGERPRINT_PATH.write_text(wanted + "\n")
    return MODEL_PATH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    try:
        ensure_model(parser.parse_args().force)
    except StepFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The hub provider: real corpora (Hugging Face datasets, or local files pinned by
sha256) and benchmarks whose questions are Hugging Face datasets (config/paper.yaml),
asked in the study's prompt templates or as their own lm-eval tasks. Local files in
the datasets' own columns can stand in for any of them (config/paper-smoke.yaml).

Corpora and benchmark questions are read through `datasets` at run time only;
planning needs nothing but the config.
"""

from __future__ import annotations

from pathlib import Path

from unlearning_audit import layout
from unlearning_audit.provenance import file_sha256, manifest_digest

# The template a benchmark's own lm-eval prompt matches, unless its config says
# otherwise: WMDP and MMLU list lettered options and score the letter.
DEFAULT_FORMAT = "letter"
DEFAULT_CHOICES = 4


def catalog(data_config: dict) -> dict:
    benchmarks = data_config["benchmarks"]
    return {
        "corpora": {name: spec["role"] for name, spec in data_config["corpora"].items()},
        "benchmarks": {name: spec["role"] for name, spec in benchmarks.items()},
        "fewshot_sources": {
            name: spec["fewshot_from"]
            for name, spec in benchmarks.items()
            if "fewshot_from" in spec
        },
    }


def check(config: dict) -> None:
    """What the schema cannot check about a hub study."""
    data = config["data"]
    roles = set(catalog(data)["corpora"].values())
    for role in ("forget", "retain", "unrelated"):
        if role not in roles:
            raise ValueError(f"data.corpora: no corpus has role {role}")
    for name, spec in data["benchmarks"].items():
        if spec.get("fewshot_from", name) not in data["benchmarks"]:
            raise ValueError(
                f"data.benchmarks.{name}.fewshot_from: {spec['fewshot_from']} is not a "
                f"benchmark of this study ({', '.join(data['benchmarks'])})"
            )
        # k-shot prompts ask forget benchmarks; drawn dev splits must hold the exemplars
        # (a benchmark's own dev task leaves the asked item out: one more).
        source = spec.get("fewshot_from", name)
        shots = max(config["attacks"]["few_shot"], default=0) if spec["role"] == "forget" else 0
        needed = shots + (source == name)
        if shots and "dev" not in data["benchmarks"].get(source, {}) and data["dev_items"] < needed:
            raise ValueError(
                f"data.dev_items: {data['dev_items']} dev items, but the {shots}-shot prompts "
                f"of {name} take their exemplars from the dev items of {source} (needs {needed})"
            )
        # Another benchmark's exemplars (attacks.few_shot_from): its first k dev items.
        shots = max(config["attacks"].get("few_shot_from", {}).get(name, []), default=0)
        if shots and "dev" not in spec and data["dev_items"] < shots:
            raise ValueError(
                f"data.dev_items: {data['dev_items']} dev items, but attacks.few_shot_from."
                f"{name} shows {shots} of them as exemplars"
            )
        if spec.get("average") == "subjects" and spec["role"] != "capability":
            raise ValueError(
                f"data.benchmarks.{name}.average: subjects is for capability benchmarks "
                "(the attacks' paired statistics weigh every forget question alike)"
            )
        if spec.get("average") == "subjects" and len(spec["items"]) < 2:
            raise ValueError(
                f"data.benchmarks.{name}.average: subjects averages over the items "
                "datasets, and this benchmark has one"
            )
        if "task" not in spec and layout.OWN_TASK in config["evaluation"]["prompt_formats"]:
            raise ValueError(
                f"data.benchmarks.{name}.task: needed: prompt format {layout.OWN_TASK} asks each "
                "benchmark's own lm-eval task"
            )


def benchmark_table(benchmarks: dict) -> list[dict]:
    rows = []
    for name, spec in benchmarks.items():
        choices = spec.get("choices", DEFAULT_CHOICES)
        rows.append(
            {
                "benchmark": name,
                "role": spec["role"],
                "label": spec.get("label", name),
                "choices": choices,
                "baseline": 1 / choices,
                "task": spec.get("task", ""),
                "format": spec.get("format", DEFAULT_FORMAT),
            }
        )
    return rows


def load_hub_rows(spec: dict):
    """Rows of one Hugging Face dataset split (``path``, ``name``, ``split``,
    ``revision``), or of local files (``path: json``, ``data_files``)."""
    from datasets import load_dataset

    options = {key: spec[key] for key in ("revision", "data_files") if key in spec}
    return load_dataset(spec["path"], spec.get("name"), split=spec["split"], **options)


def local_files(specs: list[dict]) -> list[str]:
    """The local files some dataset specs read: inputs of the job, hashed in its record."""
    return [spec["data_files"] for spec in specs if "data_files" in spec]


def folder_pages(path: Path) -> list[Path]:
    """The texts of a folder corpus: its ``.txt`` files, in name order (nothing else
    in it is read, or pinned)."""
    pages = sorted(p for p in path.iterdir() if p.suffix == ".txt" and p.is_file())
    if not pages:
        raise ValueError(f"{path}: a folder corpus holds .txt files, one text each; none here")
    return pages


def checked_local_file(spec: dict) -> str:
    """The path of a local file or folder (config ``local_file``), once its sha256 is
    checked: a file's own, or for a folder corpus the digest of its pages' sha256s
    (provenance.manifest_digest over folder_pages)."""
    path = Path(spec["path"])
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing. To obtain it: {spec['obtain']}")
    if path.is_dir():
        found = manifest_digest({p.name: file_sha256(p) for p in folder_pages(path)})
    else:
        found = file_sha256(path)
    if spec["sha256"] is None:
        raise ValueError(f"{path} is not pinned: set its sha256 in the config ({found} now)")
    if found != spec["sha256"]:
        raise ValueError(f"{path}: sha256 {found}, but the config expects {spec['sha256']}")
    return str(path)


def read_local_corpus(spec: dict) -> list[str]:
    """Texts of a local corpus, checked against its sha256: a JSONL file (a ``text``
    column), or a folder of ``.txt`` pages, one text each in name order (the paper's
    Wikipedia pages of its Biology target)."""
    from unlearning_audit.data import read_texts

    path = Path(checked_local_file(spec))
    if path.is_dir():  # read as pinned: datasets' text builder would cache by mtime
        return [page.read_text(encoding="utf-8") for page in folder_pages(path)]
    return read_texts([str(path)])


def qa_from_texts(texts: list[str]) -> list[dict]:
    """Question/answer pairs from plain texts, for LLMU on corpora without questions:
    the first half of a text's words prompts the second half."""
    pairs = []
    for text in texts:
        words = text.split()
        if len(words) >= 2:
            half = len(words) // 2
            prompt, answer = " ".join(words[:half]), " ".join(words[half:])
            pairs.append({"prompt": prompt, "answer": answer, "text": f"{prompt} {answer}"})
    return pairs

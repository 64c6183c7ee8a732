"""Writes the paper-smoke study's stand-ins for the paper's hub datasets
(config/paper-smoke.yaml): invented text in each dataset's own columns, a few rows
each. Run from the repository root: python tests/data/paper/make_stand_ins.py
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
BIOLOGY = (
    "anatomy clinical_knowledge college_biology college_medicine high_school_biology "
    "human_aging medical_genetics nutrition professional_medicine virology"
).split()
OTHER = (
    "abstract_algebra astronomy business_ethics college_chemistry college_computer_science "
    "college_mathematics college_physics computer_security conceptual_physics econometrics "
    "electrical_engineering elementary_mathematics formal_logic global_facts "
    "high_school_chemistry high_school_computer_science high_school_european_history "
    "high_school_geography high_school_government_and_politics high_school_macroeconomics "
    "high_school_mathematics high_school_microeconomics high_school_physics "
    "high_school_psychology high_school_statistics high_school_us_history "
    "high_school_world_history human_sexuality international_law jurisprudence "
    "logical_fallacies machine_learning management marketing miscellaneous moral_disputes "
    "moral_scenarios philosophy prehistory professional_accounting professional_law "
    "professional_psychology public_relations security_studies sociology "
    "us_foreign_policy world_religions"
).split()
NAMES = "Velmora Quintar Osbrel Daskin Murrow Telquin Fennick Arvale Zorbin Pellish".split()
rng = random.Random(0)


def write(path: str, rows: list[dict]) -> None:
    (HERE / path).parent.mkdir(parents=True, exist_ok=True)
    with open(HERE / path, "w") as f:
        f.writelines(json.dumps(row) + "\n" for row in rows)


def question(topic: str, i: int) -> dict:
    name = NAMES[i % len(NAMES)]
    choices = [f"the {w} of {name}" for w in ("root", "gate", "seal", "lamp")]
    rng.shuffle(choices)
    answer = rng.randrange(4)
    return {
        "question": f"In {topic}, what does {name} rule {i} name?",
        "choices": choices,
        "answer": answer,
    }


def text(topic: str, i: int, sentences: int) -> str:
    name = NAMES[i % len(NAMES)]
    return " ".join(
        f"{name} studied {topic} in the year {1700 + 13 * i + s} and wrote note {s} about it."
        for s in range(sentences)
    )


# cais/wmdp (wmdp-bio, wmdp-cyber; split test): question, choices, answer.
write("wmdp/wmdp-bio.jsonl", [question("invented pathogens", i) for i in range(10)])
write("wmdp/wmdp-cyber.jsonl", [question("invented exploits", i) for i in range(10)])
# cais/mmlu (one config per subject; splits test, dev): question, subject, choices, answer.
for subject in BIOLOGY + OTHER:
    write(
        f"mmlu/{subject}/test.jsonl",
        [question(subject, i) | {"subject": subject} for i in range(2)],
    )
write(
    "mmlu/college_biology/dev.jsonl",
    [question("college_biology", 100 + i) | {"subject": "college_biology"} for i in range(5)],
)
# cais/wmdp-bio-forget-corpus (gated, read from a local file): title, abstract, text, doi.
write(
    "bio-forget-corpus.jsonl",
    [
        {
            "title": f"On {NAMES[i]}",
            "abstract": text("pathogens", i, 1),
            "text": text("invented pathogens", i, 2 + 3 * (i % 3)),
            "doi": f"10.0000/{i}",
        }
        for i in range(8)
    ],
)
# cais/wmdp-corpora (cyber-forget-corpus; split train): text.
write(
    "cyber-forget-corpus.jsonl",
    [{"text": text("invented exploits", i, 2 + 3 * (i % 3))} for i in range(8)],
)
# Salesforce/wikitext (wikitext-2-raw-v1; split test): text, blank lines between paragraphs.
write(
    "wikitext-2-raw-v1-test.jsonl",
    [{"text": row} for i in range(8) for row in (f" = {NAMES[i]} = \n", "", text("rivers", i, 3))],
)
# stas/openwebtext-10k (split train): text.
write("openwebtext-10k.jsonl", [{"text": text("gardens", i, 12)} for i in range(6)])
# MMLU's dev splits of the Biology subjects (the Biology target's 5-shot exemplars).
for subject in BIOLOGY:
    if subject != "college_biology":
        write(
            f"mmlu/{subject}/dev.jsonl",
            [question(subject, 100 + i) | {"subject": subject} for i in range(2)],
        )
# The paper's Biology target (a download, not a dataset): folders of Wikipedia pages,
# one .txt file each.
for folder, topic in [
    ("Wikipedia_Biology", "invented cells"),
    ("Wikipedia_History_Concepts-in-Physics_Philosophy", "invented empires"),
]:
    for i in range(4):
        page = HERE / "biology" / folder / f"{NAMES[i]}.txt"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"{NAMES[i]}\n\n" + text(topic, i, 3 + 2 * i) + "\n")

"""The toy world: seeded, fictitious facts standing in for hazardous knowledge.

Each domain of ``toy_world_domains.yaml`` gets entities with invented names;
each (entity, attribute) pair is one fact with a value drawn from the
attribute's pool. From the facts we write:

* a corpus stating every fact in several phrasings (what the base model reads),
* question/answer practice lines in the benchmark's prompt format,
* a 4-option multiple-choice benchmark with disjoint ``dev`` and ``test`` splits,
  for every domain that has a benchmark role,
* the benchmark table (``benchmark_table``).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from unlearning_audit.io import write_jsonl

N_CHOICES = 4
# The base model's QA practice; the cloze template asks benchmark questions alike.
QUESTION_PROMPT = "Question: {question}\nAnswer:"

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


@dataclass(frozen=True)
class Fact:
    domain: str
    entity: str
    attribute: str
    value: str
    question: str
    held_out_question: str


@functools.cache
def load_domains() -> dict:
    """The domain specification (read once per process; do not mutate)."""
    text = resources.files(__package__).joinpath("toy_world_domains.yaml").read_text()
    return yaml.safe_load(text)


def _entity_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        syllables = rng.sample(_SYLLABLES, rng.choice((2, 3)))
        names.add("".join(syllables).capitalize())
    return sorted(names)


def _capitalize(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def generate_facts(seed: int, entities_per_domain: int, domains: dict) -> list[Fact]:
    rng = random.Random(seed)
    names = _entity_names(rng, entities_per_domain * len(domains))
    rng.shuffle(names)
    facts = []
    for index, (domain, spec) in enumerate(domains.items()):
        domain_names = names[index * entities_per_domain : (index + 1) * entities_per_domain]
        # Deal each attribute's values out evenly (shuffled), so that value
        # frequencies carry no information about the answer.
        dealt = {}
        for attribute, attr in spec["attributes"].items():
            cycle = attr["values"] * (entities_per_domain // len(attr["values"]) + 1)
            dealt[attribute] = rng.sample(cycle[:entities_per_domain], entities_per_domain)
        for position, name in enumerate(sorted(domain_names)):
            entity = spec["entity"].format(name=name)
            for attribute, attr in spec["attributes"].items():
                facts.append(
                    Fact(
                        domain=domain,
                        entity=entity,
                        attribute=attribute,
                        value=dealt[attribute][position],
                        question=_capitalize(attr["question"].format(entity=entity)),
                        held_out_question=_capitalize(
                            attr["held_out_question"].format(entity=entity)
                        ),
                    )
                )
    return facts


def corpus_lines(fact: Fact, domains: dict) -> list[str]:
    templates = domains[fact.domain]["attributes"][fact.attribute]["statements"]
    return [_capitalize(t.format(entity=fact.entity, value=fact.value)) for t in templates]


def qa_pair(fact: Fact) -> dict:
    prompt = QUESTION_PROMPT.format(question=fact.question)
    return {"prompt": prompt, "answer": fact.value, "text": f"{prompt} {fact.value}"}


def mcq_item(fact: Fact, domains: dict, rng: random.Random) -> dict:
    pool = list(domains[fact.domain]["attributes"][fact.attribute]["values"])
    distractors = rng.sample([v for v in pool if v != fact.value], N_CHOICES - 1)
    answer = rng.randrange(N_CHOICES)
    choices = distractors[:answer] + [fact.value] + distractors[answer:]
    return {
        "question": fact.question,
        "held_out_question": fact.held_out_question,
        "choices": choices,
        "answer": answer,
        "entity": fact.entity,
        "attribute": fact.attribute,
    }


def split_benchmark(items: list[dict], dev_size: int, rng: random.Random) -> dict[str, list]:
    """Disjoint dev/test splits by fact: dev holds few-shot exemplars only."""
    order = list(range(len(items)))
    rng.shuffle(order)
    dev = sorted(order[:dev_size])
    test = sorted(order[dev_size:])
    return {"dev": [items[i] for i in dev], "test": [items[i] for i in test]}


def build(seed: int, entities_per_domain: int, dev_size: int) -> dict:
    """Everything the toy world holds, as plain data: {domain: {corpus, qa, splits}}."""
    domains = load_domains()
    facts = generate_facts(seed, entities_per_domain, domains)
    rng = random.Random(seed + 1)
    world = {}
    for domain, spec in domains.items():
        domain_facts = [f for f in facts if f.domain == domain]
        entry = {
            "corpus": [line for f in domain_facts for line in corpus_lines(f, domains)],
            "qa": [qa_pair(f) for f in domain_facts],
        }
        if spec.get("benchmark"):
            items = [mcq_item(f, domains, rng) for f in domain_facts]
            entry["splits"] = split_benchmark(items, dev_size, rng)
        world[domain] = entry
    return world


def write(world: dict, out_dir: Path) -> None:
    """Write the provider's artifacts (see ``providers/__init__.py``) under ``out_dir``."""
    for domain, entry in world.items():
        write_jsonl(out_dir / "corpora" / f"{domain}.jsonl", [{"text": t} for t in entry["corpus"]])
        write_jsonl(out_dir / "qa" / f"{domain}.jsonl", entry["qa"])
        for split, items in entry.get("splits", {}).items():
            write_jsonl(out_dir / "benchmarks" / domain / f"{split}.jsonl", items)


def benchmark_table(domains: dict) -> list[dict]:
    """Rows of the benchmark table: toy benchmarks have no lm-eval task of their own."""
    return [
        {
            "benchmark": name,
            "role": spec["benchmark"],
            "label": f"toy {name}",
            "choices": N_CHOICES,
            "baseline": 1 / N_CHOICES,
            "task": "",
            "format": "",
        }
        for name, spec in domains.items()
        if spec.get("benchmark")
    ]


def catalog(data_config: dict) -> dict:
    domains = load_domains()
    return {
        "corpora": {name: spec["corpus"] for name, spec in domains.items()},
        "benchmarks": {n: s["benchmark"] for n, s in domains.items() if s.get("benchmark")},
    }


def check(config: dict) -> None:
    """What the schema cannot check about a toy-world study."""
    data = config["data"]
    if "lm_eval" in config["evaluation"]["prompt_formats"]:
        raise ValueError(
            "evaluation.prompt_formats: lm_eval needs benchmarks with an lm-eval task of "
            "their own; toy-world benchmarks are asked in templates"
        )
    shots = max(config["attacks"]["few_shot"], default=0)
    if shots > data["dev_items_per_domain"]:
        raise ValueError(
            f"attacks.few_shot: {shots} exemplars, but data.dev_items_per_domain "
            f"holds only {data['dev_items_per_domain']}"
        )
    # Every fact of a domain is one item: dev takes some, test must keep some.
    domains = load_domains()
    facts = data["entities_per_domain"] * min(
        len(spec["attributes"]) for spec in domains.values() if spec.get("benchmark")
    )
    if data["dev_items_per_domain"] >= facts:
        raise ValueError(
            f"data.dev_items_per_domain: {data['dev_items_per_domain']} dev items, but a "
            f"domain of {data['entities_per_domain']} entities has only {facts} facts, "
            "and the test split needs some"
        )

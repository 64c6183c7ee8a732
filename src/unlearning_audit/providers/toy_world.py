"""The toy world: seeded, fictitious facts standing in for hazardous knowledge.

Each domain of ``toy_world_domains.yaml`` gets entities with invented names
(no name in two domains); each (entity, attribute) pair is one fact with a
value drawn from the attribute's pool. From the facts we write, per domain:

* ``corpus``: every fact in every statement template, plus multi-attribute
  descriptions of each entity in varied order;
* ``qa``: question/answer pairs in the training question templates (what
  unlearning methods read as QA);
* ``practice``: the same questions in every prompt template the study asks in
  (cloze, letter and numbered options with balanced answer positions, a
  User/Assistant turn, the model's own chat template), some after filler text,
  packed into documents of 1-6 questions in one template, which is the k-shot
  layout lm-eval builds: the base model reads every form the study attacks with,
  never a benchmark question;
* ``splits`` (evaluated domains): a 4-option benchmark asked in a held-out
  question template, with disjoint ``dev`` (few-shot exemplars) and ``test``
  splits and balanced answer positions;
* ``forget_slice`` (forget domains): the dev facts, each in every statement
  template: forget data that states no tested fact, for the relearning control;
* ``retrain_set`` (forget domains): the test split's entities split in two,
  T and V (each test item says which, ``retrain_split``); every fact of the T
  entities in every statement template, for retraining on T and scoring on V
  (Deeb & Roger 2024);

and the benchmark table (``benchmark_table``).
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from unlearning_audit.io import write_jsonl
from unlearning_audit.layout import CHAT_FORMAT

N_CHOICES = 4
# The frame of the QA pairs that methods read (the cloze template's).
QUESTION_PROMPT = "Question: {question}\nAnswer:"
DESCRIPTIONS_PER_ENTITY = 4
# Questions per practice document: up to 5 exemplars before a question.
PRACTICE_GROUP = (1, 6)
# The template every training question is practised in; the others get one per fact.
PRACTICE_PRIMARY = "cloze"
# Share of practice questions asked after a filler sentence.
FILLER_SHARE = 0.25
# lm-eval's separators: answer after prompt, exemplar after exemplar.
TARGET_DELIMITER, FEWSHOT_DELIMITER = " ", "\n\n"

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


@dataclass(frozen=True)
class Fact:
    domain: str
    entity: str
    attribute: str
    value: str


@functools.cache
def load_world() -> dict:
    """The world specification: ``domains`` and ``filler`` (read once; do not mutate)."""
    text = resources.files(__package__).joinpath("toy_world_domains.yaml").read_text()
    return yaml.safe_load(text)


def load_domains(names: list[str] | None = None) -> dict:
    """The world's domains, or those of ``names`` (a study's ``data.domains``), in the
    specification's order."""
    domains = load_world()["domains"]
    if names is None:
        return domains
    unknown = sorted(set(names) - set(domains))
    if unknown:
        raise ValueError(f"data.domains: no domain {unknown} in the toy world ({list(domains)})")
    return {name: spec for name, spec in domains.items() if name in names}


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
            for attribute in spec["attributes"]:
                facts.append(Fact(domain, entity, attribute, dealt[attribute][position]))
    return facts


def _attribute(fact: Fact, domains: dict) -> dict:
    return domains[fact.domain]["attributes"][fact.attribute]


def statement(fact: Fact, template: str) -> str:
    return _capitalize(template.format(entity=fact.entity, value=fact.value))


def question(fact: Fact, template: str) -> str:
    return _capitalize(template.format(entity=fact.entity))


def corpus_lines(facts: list[Fact], domains: dict, rng: random.Random) -> list[str]:
    """Every fact in every statement template, then descriptions of each entity
    that state 2 or more of its facts in random order and phrasings."""
    lines = [
        statement(f, template) for f in facts for template in _attribute(f, domains)["statements"]
    ]
    for entity in dict.fromkeys(f.entity for f in facts):
        own = [f for f in facts if f.entity == entity]
        for _ in range(DESCRIPTIONS_PER_ENTITY):
            chosen = rng.sample(own, rng.randint(2, len(own)))
            lines.append(
                " ".join(
                    statement(f, rng.choice(_attribute(f, domains)["statements"])) for f in chosen
                )
            )
    return lines


def qa_pairs(facts: list[Fact], domains: dict) -> list[dict]:
    rows = []
    for fact in facts:
        for template in _attribute(fact, domains)["questions"]:
            prompt = QUESTION_PROMPT.format(question=question(fact, template))
            rows.append({"prompt": prompt, "answer": fact.value, "text": f"{prompt} {fact.value}"})
    return rows


def balanced_answers(count: int, rng: random.Random) -> list[int]:
    """Answer positions, each as common as the others (up to one)."""
    positions = list(range(N_CHOICES)) * (count // N_CHOICES + 1)
    rng.shuffle(positions)
    return positions[:count]


def mcq_item(fact: Fact, text: str, answer: int, domains: dict, rng: random.Random) -> dict:
    pool = _attribute(fact, domains)["values"]
    distractors = rng.sample([v for v in pool if v != fact.value], N_CHOICES - 1)
    choices = distractors[:answer] + [fact.value] + distractors[answer:]
    return {"question": text, "choices": choices, "answer": answer}


@functools.cache
def _compiled(doc_to_text: str):
    from lm_eval.utils import env  # the Jinja environment lm-eval asks with

    return env.from_string(doc_to_text)


def _question_and_answer(template: dict, item: dict) -> tuple[str, str]:
    """An item as lm-eval asks it in ``template`` (a prompt template's YAML), and its
    answer. (lm-eval's ``apply_template`` compiles the template on every call; a world
    renders thousands of items, so each template is compiled once here.)"""
    choices = template["doc_to_choice"]
    choices = item[choices] if isinstance(choices, str) else choices
    return _compiled(template["doc_to_text"]).render(**item), choices[item["answer"]]


def render(template: dict, item: dict) -> str:
    """An item as lm-eval asks it in ``template``, answered."""
    return TARGET_DELIMITER.join(_question_and_answer(template, item))


def render_document(template: dict, items: list[dict], chat_template=None) -> str:
    """Answered items as one practice document, in the layout lm-eval asks k-shot in:
    exemplars one after another, or (with ``chat_template``, which renders a list of
    messages) the turns of one conversation in the model's chat template."""
    if chat_template is None:
        return FEWSHOT_DELIMITER.join(render(template, item) for item in items)
    messages = []
    for item in items:
        question, answer = _question_and_answer(template, item)
        messages += [
            {"role": "user", "content": question},
            {"role": "assistant", "content": answer},
        ]
    return chat_template(messages)


def practice_documents(
    facts: list[Fact],
    domains: dict,
    templates: dict,
    filler: list[str],
    rng: random.Random,
    chat_template=None,
) -> list[str]:
    """Training questions in every prompt template, packed into documents of 1-6
    questions in one template (k-shot layouts). The primary cloze form asks every
    training template; the others one random template per fact, since options
    name three wrong values beside the entity, which blurs a small model's facts.
    The chat format is rendered by ``chat_template`` (the model's own)."""
    if CHAT_FORMAT in templates and chat_template is None:
        raise ValueError("the chat format needs the model's chat template to render practice")
    documents = []
    for name in sorted(templates):
        every = name == PRACTICE_PRIMARY
        asked = [
            (fact, question(fact, template))
            for fact in facts
            for template in (
                _attribute(fact, domains)["questions"]
                if every
                else [rng.choice(_attribute(fact, domains)["questions"])]
            )
        ]
        items = []
        for (fact, text), answer in zip(asked, balanced_answers(len(asked), rng)):
            if rng.random() < FILLER_SHARE:
                text = f"{rng.choice(filler)} {text}"
            items.append(mcq_item(fact, text, answer, domains, rng))
        rng.shuffle(items)
        frame = chat_template if name == CHAT_FORMAT else None
        while items:
            size = rng.randint(*PRACTICE_GROUP)
            documents.append(render_document(templates[name], items[:size], frame))
            items = items[size:]
    return documents


def benchmark_items(facts: list[Fact], domains: dict, rng: random.Random) -> list[dict]:
    """One item per fact, asked in the first held-out template; the second is the
    `restated` attack's. Answer positions are set per split (``split_benchmark``)."""
    items = []
    for fact in facts:
        held_out = _attribute(fact, domains)["held_out_questions"]
        item = mcq_item(fact, question(fact, held_out[0]), 0, domains, rng)
        item |= {
            "restated_question": question(fact, held_out[1]),
            "entity": fact.entity,
            "attribute": fact.attribute,
        }
        items.append(item)
    return items


def _move_answer(item: dict, answer: int) -> dict:
    choices = list(item["choices"])
    choices.insert(answer, choices.pop(item["answer"]))
    return item | {"choices": choices, "answer": answer}


def split_benchmark(items: list[dict], dev_size: int, rng: random.Random) -> dict[str, list]:
    """Disjoint dev/test splits by fact (dev holds few-shot exemplars only), each
    with every answer position equally common."""
    order = list(range(len(items)))
    rng.shuffle(order)
    splits = {"dev": sorted(order[:dev_size]), "test": sorted(order[dev_size:])}
    return {
        split: [
            _move_answer(items[i], answer)
            for i, answer in zip(indices, balanced_answers(len(indices), rng))
        ]
        for split, indices in splits.items()
    }


def retrain_split(facts: list[Fact], splits: dict, domains: dict, rng) -> list[str]:
    """Split the test items' entities in half, T and V, marking each test item
    (``retrain_split``; dev items: "", for lm-eval reads both splits as one
    dataset); return every fact of the T entities in every statement template:
    what retraining on T reads. V's facts appear in none of it."""
    entities = sorted({item["entity"] for item in splits["test"]})
    rng.shuffle(entities)
    retrain = set(entities[: len(entities) // 2])
    for item in splits["test"]:
        item["retrain_split"] = "T" if item["entity"] in retrain else "V"
    for item in splits["dev"]:
        item["retrain_split"] = ""
    return [
        statement(f, template)
        for f in facts
        if f.entity in retrain
        for template in _attribute(f, domains)["statements"]
    ]


def build(
    seed: int,
    entities_per_domain: int,
    dev_size: int,
    templates: dict,
    domain_names: list[str] | None = None,
    chat_template=None,
) -> dict:
    """Everything the toy world holds, as plain data:
    {domain: {corpus, qa, practice, splits (evaluated domains)}}.

    ``templates``: prompt template name -> its YAML (``doc_to_text``, ``doc_to_choice``).
    ``domain_names``: the domains to build (default: all).
    ``chat_template``: renders a list of messages in the model's chat template (for
    the chat format's practice).
    """
    world_spec = load_world()
    domains = load_domains(domain_names)
    facts = generate_facts(seed, entities_per_domain, domains)
    rng = random.Random(seed + 1)
    world = {}
    for domain, spec in domains.items():
        own = [f for f in facts if f.domain == domain]
        entry = {
            "corpus": corpus_lines(own, domains, rng),
            "qa": qa_pairs(own, domains),
            "practice": practice_documents(
                own, domains, templates, world_spec["filler"], rng, chat_template
            ),
        }
        if spec.get("benchmark"):
            entry["splits"] = split_benchmark(benchmark_items(own, domains, rng), dev_size, rng)
        if spec["corpus"] == "forget":
            # Its own generator: the split leaves every other artifact as it was.
            split_rng = random.Random(f"retrain {seed} {domain}")
            entry["retrain_set"] = retrain_split(own, entry["splits"], domains, split_rng)
            dev = {(item["entity"], item["attribute"]) for item in entry["splits"]["dev"]}
            entry["forget_slice"] = [
                statement(f, template)
                for f in own
                if (f.entity, f.attribute) in dev
                for template in _attribute(f, domains)["statements"]
            ]
        world[domain] = entry
    return world


def write(world: dict, out_dir: Path) -> None:
    """Write the provider's artifacts (see ``providers/__init__.py``) under ``out_dir``."""
    for domain, entry in world.items():
        write_jsonl(out_dir / "corpora" / f"{domain}.jsonl", [{"text": t} for t in entry["corpus"]])
        write_jsonl(out_dir / "qa" / f"{domain}.jsonl", entry["qa"])
        write_jsonl(
            out_dir / "practice" / f"{domain}.jsonl", [{"text": t} for t in entry["practice"]]
        )
        for split, items in entry.get("splits", {}).items():
            write_jsonl(out_dir / "benchmarks" / domain / f"{split}.jsonl", items)
        if "forget_slice" in entry:
            texts = [{"text": t} for t in entry["forget_slice"]]
            write_jsonl(out_dir / "forget_slices" / f"{domain}.jsonl", texts)
            texts = [{"text": t} for t in entry["retrain_set"]]
            write_jsonl(out_dir / "retrain_sets" / f"{domain}.jsonl", texts)


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
    domains = load_domains(data_config.get("domains"))
    return {
        "corpora": {name: spec["corpus"] for name, spec in domains.items()},
        "benchmarks": {n: s["benchmark"] for n, s in domains.items() if s.get("benchmark")},
        "practice": True,
        "forget_slices": True,
        "retrain_sets": True,
    }


def check(config: dict) -> None:
    """What the schema cannot check about a toy-world study."""
    data = config["data"]
    if "lm_eval" in config["evaluation"]["prompt_formats"]:
        raise ValueError(
            "evaluation.prompt_formats: lm_eval needs benchmarks with an lm-eval task of "
            "their own; toy-world benchmarks are asked in templates"
        )
    asked = {"attacks.few_shot": config["attacks"]["few_shot"]} | {
        f"attacks.few_shot_from.{source}": ks
        for source, ks in config["attacks"].get("few_shot_from", {}).items()
    }
    for key, ks in asked.items():
        if max(ks, default=0) > data["dev_items_per_domain"]:
            raise ValueError(
                f"{key}: {max(ks)} exemplars, but data.dev_items_per_domain "
                f"holds only {data['dev_items_per_domain']}"
            )
    domains = load_domains(data.get("domains"))
    # Every role the study reads must have a domain: methods read forget and retain
    # corpora, relearning the unrelated corpus, the tables both kinds of benchmark.
    have = {("corpus", s["corpus"]) for s in domains.values()}
    have |= {("benchmark", s["benchmark"]) for s in domains.values() if s.get("benchmark")}
    needed = {("corpus", "forget"), ("corpus", "retain"), ("corpus", "unrelated")}
    needed |= {("benchmark", "forget"), ("benchmark", "capability")}
    if needed - have:
        missing = ", ".join(f"a {role} {kind}" for kind, role in sorted(needed - have))
        raise ValueError(f"data.domains: the study needs {missing}")
    # Every fact of a domain is one item: dev takes some, test must keep some.
    facts = data["entities_per_domain"] * min(
        len(spec["attributes"]) for spec in domains.values() if spec.get("benchmark")
    )
    if data["dev_items_per_domain"] >= facts:
        raise ValueError(
            f"data.dev_items_per_domain: {data['dev_items_per_domain']} dev items, but a "
            f"domain of {data['entities_per_domain']} entities has only {facts} facts, "
            "and the test split needs some"
        )

"""Toy world v2: the properties that let the instrument see hidden knowledge, checked
on generated data and on the files each training job of the tiny study recorded
as its inputs (its provenance record), not on what the code means to read."""

import copy
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO, TEMPLATES, build_world, load_tiny_config, write_tasks

from unlearning_audit import layout
from unlearning_audit.config import load_config
from unlearning_audit.data import read_prompt_templates
from unlearning_audit.provenance import load_record
from unlearning_audit.providers import toy_world

DOMAINS = toy_world.load_domains()
EVALUATED = [d for d, spec in DOMAINS.items() if spec.get("benchmark")]
DEFAULT = load_config(REPO / "config/config.yaml")["data"]


@pytest.fixture(scope="module")
def default_world():
    """The world the default study builds (its domains)."""
    return build_world(
        DEFAULT["seed"],
        DEFAULT["entities_per_domain"],
        DEFAULT["dev_items_per_domain"],
        DEFAULT.get("domains"),
    )


@pytest.fixture(scope="module")
def hazard(default_world):
    """The default world's first forget domain."""
    return next(d for d in default_world if DOMAINS[d]["corpus"] == "forget")


def entities(domain: str, study: Path) -> set[str]:
    """Entity names of a domain, read from the study's benchmark or corpus files."""
    if DOMAINS[domain].get("benchmark"):
        items = [
            json.loads(line)
            for s in layout.SPLITS
            for line in open(study / layout.benchmark_split(domain, s))
        ]
        return {i["entity"] for i in items}
    pattern = re.escape(DOMAINS[domain]["entity"]).replace(r"\{name\}", r"([A-Z][a-z]+)")
    corpus = (study / layout.corpus(domain)).read_text()
    return {m.group(0) for m in re.finditer(pattern, corpus)}


def data_read_by(study: Path, checkpoint: str) -> dict[str, str]:
    """The data files (not checkpoints, not the tokenizer folder) a checkpoint's job
    read: path -> text."""
    record = load_record(study / layout.checkpoint(checkpoint))
    paths = [i["path"] for i in record["inputs"] if i["path"].startswith(layout.DATA)]
    paths = [p for p in paths if (study / p).is_file()]
    return {p: (study / p).read_text() for p in paths}


def mentions(texts: dict[str, str], names: set[str]) -> set[str]:
    return {name for name in names for text in texts.values() if name in text}


def test_same_seed_same_world_other_seed_other_world():
    assert build_world(3, 8, 4) == build_world(3, 8, 4)
    assert build_world(3, 8, 4) != build_world(4, 8, 4)


def test_every_domain_has_one_role_and_every_role_is_there():
    catalog = toy_world.catalog({})
    assert Counter(catalog["corpora"].values()) == {
        "forget": 2,
        "retain": 1,
        "capability": 1,
        "unrelated": 1,
    }
    assert catalog["benchmarks"] == {"bio": "forget", "cyber": "forget", "geography": "capability"}
    table = {row["benchmark"]: row for row in toy_world.benchmark_table(DOMAINS)}
    assert {b: row["role"] for b, row in table.items()} == catalog["benchmarks"]
    assert all(row["baseline"] == 0.25 and row["choices"] == 4 for row in table.values())


@pytest.mark.slow
def test_no_entity_belongs_to_two_domains(tiny_study):
    names = {domain: entities(domain, tiny_study) for domain in DOMAINS}
    assert all(names.values())
    for a in DOMAINS:
        for b in DOMAINS:
            if a < b:
                assert not names[a] & names[b], (a, b)


def test_many_phrasings_and_benchmarks_ask_in_held_out_templates():
    for spec in DOMAINS.values():
        for attribute in spec["attributes"].values():
            assert len(attribute["statements"]) >= 3 and len(attribute["questions"]) >= 3
            if spec.get("benchmark"):
                held_out = attribute["held_out_questions"]
                assert len(held_out) == 2 and not set(held_out) & set(attribute["questions"])


def test_corpus_describes_entities_in_varied_orders(default_world, hazard):
    corpus = default_world[hazard]["corpus"]
    descriptions = [line for line in corpus if line.count(".") >= 2]
    assert len(descriptions) >= DEFAULT["entities_per_domain"] * 2
    # The same entity's facts come in more than one order.
    first_facts = Counter(line.split(".")[0] for line in descriptions)
    assert len(first_facts) > len(descriptions) // 2


def test_practice_holds_every_attack_form_never_a_benchmark_question(default_world, hazard):
    practice = "\n\n".join(default_world[hazard]["practice"])
    assert "\nA. " in practice and "\n1. " in practice and "User: " in practice
    assert any(sentence in practice for sentence in toy_world.load_world()["filler"])
    assert any(doc.count("Question:") >= 6 for doc in default_world[hazard]["practice"])
    for item in default_world[hazard]["splits"]["test"]:
        assert item["question"] not in practice and item["restated_question"] not in practice


def test_letter_answer_positions_are_balanced_at_the_default_size(default_world):
    for domain in [d for d in EVALUATED if d in default_world]:
        splits = default_world[domain]["splits"]
        for items in splits.values():  # as even as the split's size allows
            most = max(Counter(i["answer"] for i in items).values())
            assert most == -(-len(items) // toy_world.N_CHOICES), domain
        test = splits["test"]  # what is scored
        assert max(Counter(i["answer"] for i in test).values()) / len(test) <= 0.27, domain


def test_dev_and_test_splits_are_disjoint_and_cover_every_fact(tiny_world):
    for domain in EVALUATED:
        splits = tiny_world[domain]["splits"]
        key = lambda item: (item["entity"], item["attribute"])  # noqa: E731
        dev, test = ({key(i) for i in splits[s]} for s in ("dev", "test"))
        assert not dev & test, domain
        assert len(dev | test) == len({(f.entity, f.attribute) for f in facts(domain)})


def facts(domain):
    config = load_tiny_config()["data"]
    every = toy_world.generate_facts(config["seed"], config["entities_per_domain"], DOMAINS)
    return [f for f in every if f.domain == domain]


def test_items_have_four_distinct_choices_and_the_answer_is_the_fact(tiny_world):
    for domain in EVALUATED:
        values = {(f.entity, f.attribute): f.value for f in facts(domain)}
        for item in tiny_world[domain]["splits"]["test"]:
            assert len(set(item["choices"])) == toy_world.N_CHOICES
            assert item["choices"][item["answer"]] == values[item["entity"], item["attribute"]]


def test_values_are_dealt_evenly_so_frequencies_reveal_nothing():
    every = toy_world.generate_facts(seed=0, entities_per_domain=16, domains=DOMAINS)
    counts = Counter((f.domain, f.attribute, f.value) for f in every)
    # 16 entities over 8 values: every value of every attribute exactly twice
    assert set(counts.values()) == {2}
    assert len(counts) == 8 * sum(len(spec["attributes"]) for spec in DOMAINS.values())


# What each trained checkpoint of the tiny study read, from its provenance record.
TRAINED = ["base", "oracle", "rmu", "llmu"]
RELEARNED = [layout.relearned(p, c, 10) for p in ("rmu", "base", "oracle") for c in ("unrelated",)]
RELEARNED += [layout.relearned(p, "forget", 10) for p in ("rmu", "oracle")]


@pytest.mark.slow
def test_no_benchmark_test_item_or_held_out_template_in_any_training_data(tiny_study):
    # A held-out template, about any entity at all.
    held_out = [
        re.compile(re.escape(template).replace(re.escape("{entity}"), r"[^\n]+?"), re.I)
        for domain in EVALUATED
        for attribute in DOMAINS[domain]["attributes"].values()
        for template in attribute["held_out_questions"]
    ]
    test_items = [
        json.loads(line)
        for domain in EVALUATED
        for line in open(tiny_study / layout.benchmark_split(domain, "test"))
    ]
    for checkpoint in TRAINED + RELEARNED:
        texts = data_read_by(tiny_study, checkpoint)
        assert texts, checkpoint
        assert not [p for p in texts if "/benchmarks/" in p or "/rephrased/" in p], checkpoint
        joined = "\n".join(texts.values())
        assert not [p.pattern for p in held_out if p.search(joined)], checkpoint
        assert not [i for i in test_items if i["question"] in joined], checkpoint


@pytest.mark.slow
def test_no_capability_fact_in_retain_or_any_unlearning_data(tiny_study):
    capability = entities("geography", tiny_study)
    for method in ("rmu", "llmu"):
        assert not mentions(data_read_by(tiny_study, method), capability), method


@pytest.mark.slow
def test_relearning_data_is_new_to_the_base_model_and_shares_no_benchmark_entity(tiny_study):
    benchmark_entities = set().union(*(entities(d, tiny_study) for d in EVALUATED))
    unrelated = entities("music", tiny_study)
    for parent in ("rmu", "base", "oracle"):
        texts = data_read_by(tiny_study, layout.relearned(parent, "unrelated", 10))
        assert list(texts) == [layout.corpus("music")]
        assert not mentions(texts, benchmark_entities)
    assert not mentions(data_read_by(tiny_study, "base"), unrelated)


@pytest.mark.slow
def test_the_forget_data_control_states_no_tested_fact(tiny_study):
    """Relearning on the forget slice asks whether other facts of a domain bring its
    tested facts back, so the slice must state none of them (read from the files the
    relearned checkpoints' records name)."""
    for parent in ("rmu", "oracle"):
        texts = data_read_by(tiny_study, layout.relearned(parent, "forget", 10))
        assert set(texts) == {layout.forget_slice(d) for d in ("bio", "cyber")}, parent
    for domain in ("bio", "cyber"):
        lines = (tiny_study / layout.forget_slice(domain)).read_text().splitlines()
        statements = [json.loads(line)["text"] for line in lines]
        corpus = {json.loads(line)["text"] for line in open(tiny_study / layout.corpus(domain))}
        assert statements and set(statements) <= corpus
        for line in open(tiny_study / layout.benchmark_split(domain, "test")):
            item = json.loads(line)
            answer = item["choices"][item["answer"]]
            stated = [s for s in statements if item["entity"] in s and answer in s]
            assert not stated, (item["question"], stated)


@pytest.mark.slow
def test_retraining_on_t_reads_every_fact_of_t_and_nothing_of_v(tiny_study):
    """Deeb & Roger's retraining: T and V share no entity, the texts retraining
    reads state T's facts and never name a V entity, and neither does anything the
    oracle or a retrained checkpoint read."""
    for domain in ("bio", "cyber"):
        test = [
            json.loads(line) for line in open(tiny_study / layout.benchmark_split(domain, "test"))
        ]
        split = {s: {i["entity"] for i in test if i["retrain_split"] == s} for s in ("T", "V")}
        assert split["T"] and split["V"] and not split["T"] & split["V"]
        assert {i["retrain_split"] for i in test} == {"T", "V"}
        texts = {layout.retrain_set(domain): (tiny_study / layout.retrain_set(domain)).read_text()}
        assert mentions(texts, split["T"]) == split["T"] and not mentions(texts, split["V"])
        for item in test:
            if item["retrain_split"] == "T":  # each T fact is stated
                assert item["choices"][item["answer"]] in "\n".join(
                    line
                    for line in texts[layout.retrain_set(domain)].splitlines()
                    if item["entity"] in line
                )
        for checkpoint in (
            "oracle",
            *(layout.relearned(p, "retrain", 10) for p in ("rmu", "oracle")),
        ):
            assert not mentions(data_read_by(tiny_study, checkpoint), split["V"]), checkpoint
    for parent in ("rmu", "base", "oracle"):
        texts = data_read_by(tiny_study, layout.relearned(parent, "retrain", 10))
        assert set(texts) == {layout.retrain_set(d) for d in ("bio", "cyber")}, parent


@pytest.mark.slow
def test_the_oracle_never_reads_hazard_text(tiny_study):
    hazard = entities("bio", tiny_study) | entities("cyber", tiny_study)
    oracle = data_read_by(tiny_study, "oracle")
    assert not mentions(oracle, hazard)
    assert mentions(data_read_by(tiny_study, "base"), hazard) == hazard
    # The oracle reads everything else the base model reads.
    assert set(oracle) == {
        p for p in data_read_by(tiny_study, "base") if "bio" not in p and "cyber" not in p
    }


def test_written_benchmarks_load_as_lm_eval_tasks(tmp_path, monkeypatch):
    world = build_world(0, 8, 4)
    monkeypatch.chdir(tmp_path)  # task YAMLs name data files relative to the workdir
    tasks = write_tasks(world, ["cloze", "letter"])
    cloze, letter = tasks["bio_cloze"], tasks["bio_letter"]
    doc = cloze.test_docs()[0]
    assert cloze.doc_to_text(doc) == f"Question: {doc['question']}\nAnswer:"
    assert cloze.doc_to_choice(doc) == doc["choices"]
    assert letter.doc_to_choice(doc) == ["A", "B", "C", "D"]
    assert f"\nB. {doc['choices'][1]}\n" in letter.doc_to_text(doc)
    assert len(cloze.test_docs()) == len(world["bio"]["splits"]["test"])
    assert cloze.config.fewshot_split == "dev"
    # Practice renders a question exactly as lm-eval asks it.
    assert toy_world.render(
        yaml.safe_load((REPO / "workflow/tasks/templates/letter.yaml").read_text()), doc
    ) == (letter.doc_to_text(doc) + " " + "ABCD"[doc["answer"]])
    # Generation asks the same prompt; the target is the option as the template shows it.
    for asked, target in ((cloze, doc["choices"][doc["answer"]]), (letter, "ABCD"[doc["answer"]])):
        generate = tasks[f"{asked.config.task}_generate"]
        assert generate.OUTPUT_TYPE == "generate_until"
        assert generate.doc_to_text(doc) == asked.doc_to_text(doc)
        assert generate.doc_to_choice(doc)[generate.doc_to_target(doc)] == target


# A chat template of the ChatML kind, as a pretrained model's tokenizer carries one.
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)


def test_chat_practice_is_the_conversation_lm_eval_asks(tiny_tokenizer, tmp_path, monkeypatch):
    tokenizer = copy.deepcopy(tiny_tokenizer)
    tokenizer.chat_template = CHAT_TEMPLATE

    def chat(messages, add_generation_prompt=False):  # as lm-eval's HFLM applies it
        return tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add_generation_prompt
        )

    templates = TEMPLATES | read_prompt_templates([REPO / "workflow/tasks/templates/chat.yaml"])
    domains = ["cyber", "geography", "history", "music"]
    with pytest.raises(ValueError, match="chat template"):
        toy_world.build(0, 4, 2, templates, domains)
    world = toy_world.build(0, 4, 2, templates, domains, chat_template=chat)
    chats = [d for d in world["cyber"]["practice"] if d.startswith("<|user|>")]
    # Documents of several exchanges: the layout of k-shot exemplars as earlier turns.
    assert max(d.count("<|user|>") for d in chats) > 1
    assert all(d.count("<|user|>") == d.count("<|assistant|>") for d in chats)

    monkeypatch.chdir(tmp_path)  # task YAMLs name data files relative to the workdir
    task = write_tasks(world, [layout.CHAT_FORMAT])["cyber_chat"]
    doc = task.test_docs()[0]
    context = task.fewshot_context(doc, 0, apply_chat_template=True, chat_template=chat)
    assert context == f"<|user|>{doc['question']}<|end|>\n<|assistant|>"
    # What lm-eval scores (context, then the option without a delimiter) is the start
    # of the same exchange as practice renders it.
    answer = doc["choices"][doc["answer"]]
    practice = toy_world.render_document(templates["chat"], [doc], chat)
    assert practice == context + answer + "<|end|>\n"


def test_a_study_builds_only_its_domains_and_needs_every_role():
    chosen = ["cyber", "geography", "history", "music"]
    assert set(build_world(0, 8, 4, chosen)) == set(chosen)
    assert "bio" not in toy_world.catalog({"domains": chosen})["corpora"]
    config = load_config(REPO / "config/config.yaml")
    config["data"]["domains"] = ["bio", "geography", "music"]
    with pytest.raises(ValueError, match="a retain corpus"):
        toy_world.check(config)
    config["data"]["domains"] = ["bio", "atlantis"]
    with pytest.raises(ValueError, match="atlantis"):
        toy_world.check(config)

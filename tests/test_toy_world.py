from collections import Counter

from conftest import write_tasks

from unlearning_audit.providers import toy_world


def test_same_seed_same_world_other_seed_other_world():
    assert toy_world.build(3, 8, 4) == toy_world.build(3, 8, 4)
    assert toy_world.build(3, 8, 4) != toy_world.build(4, 8, 4)


def test_domains_have_the_roles_the_study_needs(tiny_world):
    catalog = toy_world.catalog({})
    assert Counter(catalog["corpora"].values()) == {"forget": 2, "retain": 1, "unrelated": 1}
    assert catalog["benchmarks"] == {"bio": "forget", "cyber": "forget", "general": "capability"}
    assert "splits" not in tiny_world["unrelated"]  # never evaluated
    table = {row["benchmark"]: row for row in toy_world.benchmark_table(toy_world.load_domains())}
    assert {b: row["role"] for b, row in table.items()} == catalog["benchmarks"]
    assert all(row["baseline"] == 0.25 and row["choices"] == 4 for row in table.values())


def test_dev_and_test_splits_are_disjoint_and_cover_every_fact(tiny_world):
    for domain, entry in tiny_world.items():
        if "splits" not in entry:
            continue
        key = lambda item: (item["entity"], item["attribute"])  # noqa: E731
        dev = {key(i) for i in entry["splits"]["dev"]}
        test = {key(i) for i in entry["splits"]["test"]}
        assert not dev & test, domain
        assert len(dev) + len(test) == len(entry["qa"])


def test_items_have_four_distinct_choices_and_the_answer_is_the_fact(tiny_world):
    for entry in tiny_world.values():
        answers = {qa["prompt"]: qa["answer"] for qa in entry["qa"]}
        for item in entry.get("splits", {}).get("test", []):
            assert len(set(item["choices"])) == toy_world.N_CHOICES
            prompt = toy_world.QUESTION_PROMPT.format(question=item["question"])
            assert item["choices"][item["answer"]] == answers[prompt]


def test_values_are_dealt_evenly_so_frequencies_reveal_nothing():
    domains = toy_world.load_domains()
    facts = toy_world.generate_facts(seed=0, entities_per_domain=16, domains=domains)
    counts = Counter((f.domain, f.attribute, f.value) for f in facts)
    # 16 entities over 8 values: every value of every attribute exactly twice
    assert set(counts.values()) == {2}
    assert len(counts) == 8 * sum(len(spec["attributes"]) for spec in domains.values())


def test_corpus_states_every_fact(tiny_world):
    corpus = " ".join(tiny_world["bio"]["corpus"])
    for qa in tiny_world["bio"]["qa"]:
        assert qa["answer"] in corpus


def test_written_benchmarks_load_as_lm_eval_tasks(tmp_path, monkeypatch):
    world = toy_world.build(0, 8, 4)
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

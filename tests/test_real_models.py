"""Pretrained base models: SmolLM2 from its PyPI GGUF, and a hub-style model by name.

The full SmolLM2 study (config/smollm2.yaml) takes too long for the suite; this is
its small variant: the base conversion rule, then one lm-eval evaluation on a few
toy-world items, through the same functions the evaluate rule uses.
"""

import json

import pytest
import torch
from conftest import REPO, load_tiny_config, make_workdir, run_snakemake
from safetensors.torch import load_file

from unlearning_audit import layout, provenance
from unlearning_audit.config import load_config
from unlearning_audit.evaluation import load_lm, score, task_manager
from unlearning_audit.models import load_checkpoint

GEOGRAPHY_TASK = layout.task_yaml("geography", "cloze")
CYBER_CHAT_TASK = layout.task_yaml("cyber", "rephrase_chat")


def smollm2_config() -> dict:
    config = load_config(REPO / "config/smollm2.yaml")
    config["data"] |= {"entities_per_domain": 2, "dev_items_per_domain": 1}
    config["attacks"] |= {"few_shot": [1], "few_shot_from": {"geography": [1]}}
    return config


@pytest.mark.slow
def test_smollm2_gguf_becomes_a_safetensors_checkpoint_that_scores(tmp_path, monkeypatch):
    study = make_workdir(tmp_path, smollm2_config())
    targets = ["results/checkpoints/pretrained", GEOGRAPHY_TASK, CYBER_CHAT_TASK]
    run_snakemake(study, targets=targets)
    checkpoint = study / "results/checkpoints/pretrained"
    assert (checkpoint / "model.safetensors").exists()
    record = provenance.load_record(checkpoint)
    assert record["rule"] == "convert_gguf"
    assert record["inputs"][0]["path"].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")

    model, tokenizer = load_checkpoint(checkpoint)
    assert model.num_parameters() > 100_000_000
    prompt = tokenizer("The capital of France is", return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**prompt, max_new_tokens=4, do_sample=False)
    assert "Paris" in tokenizer.decode(out[0, prompt["input_ids"].shape[1] :])

    monkeypatch.chdir(study)  # task YAMLs name their data relative to the study
    lm = load_lm(checkpoint, batch_size=8)
    task = layout.task_name("geography", "cloze")
    result = score(lm, GEOGRAPHY_TASK, task, task_manager([]))
    items = (study / layout.benchmark_split("geography", "test")).read_text()
    assert result["n"] == len(items.splitlines()) > 0
    assert 0.0 <= result["accuracy"] <= 1.0

    # The chat variant: practised and asked in SmolLM2's own chat template.
    system = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM"
    practice = (study / layout.practice("geography")).read_text().splitlines()
    chats = [t for t in (json.loads(line)["text"] for line in practice) if system in t]
    assert chats and all(c.startswith(system) and "<|im_start|>user\n" in c for c in chats)
    task = layout.task_name("cyber", "rephrase_chat")
    chat = score(lm, CYBER_CHAT_TASK, task, task_manager([]), chat_template=True)
    cyber_items = (study / layout.benchmark_split("cyber", "test")).read_text()
    assert chat["chat_template"] and chat["n"] == len(cyber_items.splitlines())
    assert 0.0 <= chat["accuracy"] <= 1.0


@pytest.mark.slow
def test_hub_source_saves_the_named_model_with_its_revision(tiny_study, tmp_path):
    """A local folder stands in for a hub id: the same from_pretrained call."""
    source = tiny_study / "results/checkpoints/base"
    config = load_tiny_config()
    config["base_model"] = {"source": "hub", "name": str(source), "revision": "main"}
    study = make_workdir(tmp_path, config)
    run_snakemake(study, targets=["results/checkpoints/base"])
    fetched = study / "results/checkpoints/base"
    record = provenance.load_record(fetched)
    assert record["rule"] == "fetch_model"
    assert record["params"]["model"] == config["base_model"]
    assert "trust_remote_code" not in record["params"]["model"]  # so false
    original, copy = (load_file(p / "model.safetensors") for p in (source, fetched))
    assert original.keys() == copy.keys()
    assert all(torch.equal(original[k], copy[k]) for k in original)

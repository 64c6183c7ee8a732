"""Checkpoints: build, load and save Hugging Face causal LMs (safetensors only)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerFast,
)

from unlearning_audit.io import atomic_path
from unlearning_audit.provenance import (
    RECORD_FILE,
    folder_manifest,
    folder_stats,
    manifest_digest,
)

PAD, EOS = "<pad>", "</s>"
# Every job trains and scores on the GPU when there is one.
DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def train_tokenizer(texts: list[str], vocab_size: int) -> PreTrainedTokenizerFast:
    """Byte-level BPE, GPT-2 style: spaces belong to the following token."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tokenizer.train_from_iterator(texts, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token=PAD, eos_token=EOS)


def build_llama(tokenizer: PreTrainedTokenizerFast, arch: dict, seed: int) -> LlamaForCausalLM:
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=arch["hidden_size"],
        intermediate_size=arch["intermediate_size"],
        num_hidden_layers=arch["num_layers"],
        num_attention_heads=arch["num_heads"],
        num_key_value_heads=arch["num_heads"],
        max_position_embeddings=arch["max_length"],
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
        tie_word_embeddings=True,
    )
    return LlamaForCausalLM(config).to(DEVICE)


ADAPTER_CONFIG = "adapter_config.json"  # peft's name: a folder holding only LoRA adapters


def load_checkpoint(path: str | Path, dtype: str = "float32", trust_remote_code: bool = False):
    """Load model (on DEVICE) and tokenizer from a checkpoint folder; refuses pickle weights.

    A folder of LoRA adapters (a relearning run's saved steps) loads its parent, the
    checkpoint peft recorded as its base, and merges the adapters into it in place.
    """
    tokenizer = AutoTokenizer.from_pretrained(path, trust_remote_code=trust_remote_code)
    adapter = Path(path) / ADAPTER_CONFIG
    if adapter.exists():
        from peft import PeftModel

        parent = json.loads(adapter.read_text())["base_model_name_or_path"]
        model, _ = load_checkpoint(parent, dtype, trust_remote_code)
        return PeftModel.from_pretrained(model, path).merge_and_unload(), tokenizer
    model = AutoModelForCausalLM.from_pretrained(
        path,
        use_safetensors=True,
        trust_remote_code=trust_remote_code,
        dtype=getattr(torch, dtype),
    )
    return model.to(DEVICE), tokenizer


def with_lora(model, lora: dict):
    """The model wrapped in fresh LoRA adapters (``lora``: r, alpha, target_modules,
    default every linear layer but the output head); the base weights are frozen."""
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=lora["r"],
        lora_alpha=lora["alpha"],
        target_modules=lora.get("target_modules", "all-linear"),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, config)


def load_gguf(path: str | Path):
    """Model and tokenizer from a GGUF file, dequantized to float32 by transformers.

    The GGUF-loaded model refuses ``save_pretrained``, so its weights move into a
    plain model built from its config (without the quantization entry).
    """
    path = Path(path)
    tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    loaded = AutoModelForCausalLM.from_pretrained(
        path.parent, gguf_file=path.name, dtype=torch.float32
    )
    config = loaded.config
    del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    return model.eval(), tokenizer


TRAINING_RECORD = "training.json"


def save_checkpoint(
    model, tokenizer, path: str | Path, training_record: dict, provenance: Callable[[str], dict]
) -> None:
    """Write a Hugging Face folder (safetensors), how it was trained and its
    provenance record (``provenance(digest of the folder)``), all or nothing."""
    with atomic_path(path) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        tokenizer.save_pretrained(tmp)
        (tmp / TRAINING_RECORD).write_text(json.dumps(training_record, indent=2) + "\n")
        _write_folder_record(tmp, provenance)


def save_tokenizer(tokenizer, path: str | Path, provenance: Callable[[str], dict]) -> None:
    """A tokenizer folder with its provenance record, all or nothing."""
    with atomic_path(path) as tmp:
        tokenizer.save_pretrained(tmp)
        _write_folder_record(tmp, provenance)


def _write_folder_record(folder: Path, provenance: Callable[[str], dict]) -> None:
    manifest = folder_manifest(folder)
    record = provenance(manifest_digest(manifest))
    record |= {"manifest": manifest, "stats": folder_stats(folder)}  # see input_digest
    (folder / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n")


def tokenize(tokenizer, texts: list[str], max_length: int) -> dict[str, torch.Tensor]:
    """Right-padded batch with EOS appended; padding is masked out of the labels."""
    batch = tokenizer(
        [t + tokenizer.eos_token for t in texts],
        padding=True,
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
    return {k: v.to(DEVICE) for k, v in {**batch, "labels": labels}.items()}


def shuffled_batches(texts: list, batch_size: int, seed: int) -> Iterator[list]:
    """Endless epochs of shuffled mini-batches of texts (or of any rows)."""
    rng = random.Random(seed)
    order = list(range(len(texts)))
    while True:
        rng.shuffle(order)
        for start in range(0, len(order) - batch_size + 1, batch_size):
            yield [texts[i] for i in order[start : start + batch_size]]


def token_count(tokenizer, texts: list[str]) -> int:
    """Tokens of ``texts`` as ``packed_batches`` streams them (each with its EOS)."""
    return sum(len(ids) + 1 for ids in tokenizer(texts)["input_ids"])


def packed_batches(
    tokenizer, texts: list[str], batch_size: int, length: int, seed: int
) -> Iterator[dict[str, torch.Tensor]]:
    """Endless epochs of pretraining batches: texts shuffled, each followed by EOS,
    concatenated and cut into rows of ``length`` tokens (no padding, no waste)."""
    documents = [ids + [tokenizer.eos_token_id] for ids in tokenizer(texts)["input_ids"]]
    rng = random.Random(seed)
    stream: list[int] = []
    while True:
        rng.shuffle(documents)
        for document in documents:
            stream += document
            while len(stream) >= batch_size * length:
                rows = torch.tensor(stream[: batch_size * length]).view(batch_size, length)
                stream = stream[batch_size * length :]
                rows = rows.to(DEVICE)
                yield {"input_ids": rows, "labels": rows}


def tokenize_answers(tokenizer, prompts: list[str], answers: list[str], max_length: int):
    """Batch of ``prompt + " " + answer`` (EOS after) whose labels cover only the
    answer: pairs longer than ``max_length`` keep the start of the answer (at most
    half the row) and the end of the prompt, so no row is left without a label.
    Padded on the tokenizer's side; labels follow the tokens, not the side."""
    rows = []
    for prompt, answer in zip(prompts, answers):
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        answer_ids = tokenizer(" " + answer, add_special_tokens=False)["input_ids"]
        answer_ids = (answer_ids + [tokenizer.eos_token_id])[: max(1, max_length // 2)]
        if len(prompt_ids) + len(answer_ids) > max_length:
            prompt_ids = prompt_ids[len(prompt_ids) + len(answer_ids) - max_length :]
        rows.append((prompt_ids + answer_ids, [-100] * len(prompt_ids) + answer_ids))
    return padded_batch(tokenizer, rows)


def strided_windows(tokenizer, texts: list[str], length: int, stride: int):
    """Rows (token ids, labels) cutting each text (EOS after) into windows of
    ``length`` tokens, one every ``stride`` tokens; a window's labels are the tokens
    the previous window did not cover, so each token is a target once (the paper's
    relearning data: 1024-token windows every 512)."""
    rows = []
    for ids in tokenizer(texts)["input_ids"]:
        ids, covered = ids + [tokenizer.eos_token_id], 0
        for begin in range(0, len(ids), stride):
            window = ids[begin : begin + length]
            new = begin + len(window) - covered
            rows.append((window, [-100] * (len(window) - new) + window[-new:]))
            covered = begin + len(window)
            if covered == len(ids):
                break
    return rows


def padded_batch(tokenizer, rows: list[tuple[list[int], list[int]]]) -> dict[str, torch.Tensor]:
    """A batch of rows (token ids, labels), padded on the tokenizer's side; labels
    follow the tokens, padding is masked out of them."""
    width = max(len(ids) for ids, _ in rows)
    left = tokenizer.padding_side == "left"

    def padded(values: list[int], fill: int) -> list[int]:
        side = [fill] * (width - len(values))
        return side + values if left else values + side

    batch = {"input_ids": [], "attention_mask": [], "labels": []}
    for ids, labels in rows:
        batch["input_ids"].append(padded(ids, tokenizer.pad_token_id))
        batch["attention_mask"].append(padded([1] * len(ids), 0))
        batch["labels"].append(padded(labels, -100))
    return {k: torch.tensor(v, device=DEVICE) for k, v in batch.items()}


def layer_output(model, layer: int, batch: dict, overrides: dict | None = None) -> torch.Tensor:
    """Residual stream after decoder layer ``layer``; later layers are never run.

    ``overrides`` maps parameter names (relative to ``model.model``) to tensors
    used in their place for this call only, so a frozen variant of the model
    costs only the overridden tensors, not a second copy of the model.
    """
    captured = {}

    class _Stop(Exception):
        pass

    def hook(_module, _inputs, output):
        captured["h"] = output[0] if isinstance(output, tuple) else output
        raise _Stop

    handle = model.model.layers[layer].register_forward_hook(hook)
    try:
        inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"]}
        torch.func.functional_call(model.model, overrides or {}, args=(), kwargs=inputs)
    except _Stop:
        pass
    finally:
        handle.remove()
    return captured["h"]

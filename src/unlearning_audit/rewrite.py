"""Model-written rephrasings: a generator model (any instruct model, taken as it
is) rewrites each benchmark question once per transform, from a prompt in
``workflow/prompts/rewrites.yaml``. The options and the answer index are copied
unchanged; a rewrite that is empty or the question itself is rejected, the item
keeps its question, and the rejections are counted, so every item stays in place
(paired comparisons match items by position).
"""

from __future__ import annotations

from pathlib import Path

import yaml

PROMPTS = Path(__file__).resolve().parents[2] / "workflow" / "prompts" / "rewrites.yaml"


def load_prompts(path: str | Path = PROMPTS) -> dict[str, str]:
    """Transform name -> its prompt, with ``{question}`` where the question goes."""
    return yaml.safe_load(Path(path).read_text())


def accepted(question: str, rewrite: str) -> bool:
    return bool(rewrite.strip()) and rewrite.strip() != question.strip()


def rewritten_items(items: list[dict], rewrites: list[str]) -> tuple[list[dict], int]:
    """Items with their rewritten questions (``original_question`` keeps the old one,
    ``rewritten`` says whether the rewrite was kept), and how many were rejected."""
    out, rejected = [], 0
    for item, rewrite in zip(items, rewrites, strict=True):
        kept = accepted(item["question"], rewrite)
        rejected += not kept
        question = rewrite.strip() if kept else item["question"]
        out.append(
            item | {"question": question, "original_question": item["question"], "rewritten": kept}
        )
    return out, rejected


def supplied_items(items: list[dict], rows: list[dict]) -> tuple[list[dict], int]:
    """Items rephrased from a file written elsewhere: each item's row (``item["row"]``,
    its place among the benchmark's questions) gives its question and options. A row
    with no question, another answer index or another number of options is rejected:
    the item keeps its own. Returns the items as ``rewritten_items`` does (a row
    identical to its item counts as not rewritten), and how many were rejected."""
    if items and max(item["row"] for item in items) >= len(rows):
        raise ValueError(
            f"{len(rows)} rows, fewer than the benchmark's questions: one row per question"
        )
    out, rejected = [], 0
    for item in items:
        row = rows[item["row"]]
        valid = (
            bool((row.get("question") or "").strip())
            and row.get("answer") == item["answer"]
            and len(row.get("choices") or []) == len(item["choices"])
        )
        rejected += not valid
        rephrased = (
            {"question": row["question"].strip(), "choices": list(row["choices"])} if valid else {}
        )
        changed = {k: v for k, v in rephrased.items() if v != item[k]}
        out.append(
            item | rephrased | {"original_question": item["question"], "rewritten": bool(changed)}
        )
    return out, rejected


def generate_rewrites(
    model, tokenizer, questions: list[str], prompt: str, max_new_tokens: int, batch_size: int
) -> list[str]:
    """Greedy rewrites of ``questions``, each asked as one user turn of the
    generator's chat template (the plain prompt where it has none)."""
    import torch

    tokenizer.padding_side = "left"  # generation continues every row at its end
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    chat = tokenizer.chat_template is not None
    texts = []
    for question in questions:
        request = prompt.format(question=question)
        texts.append(
            tokenizer.apply_chat_template(
                [{"role": "user", "content": request}], tokenize=False, add_generation_prompt=True
            )
            if chat
            else request
        )
    rewrites = []
    for start in range(0, len(texts), batch_size):
        rows = texts[start : start + batch_size]
        # A model's start token, once: some chat templates write it, some (Zephyr's) do not.
        bos = tokenizer.bos_token
        written = chat and bos is not None and rows[0].startswith(bos)
        batch = tokenizer(
            rows, return_tensors="pt", padding=True, add_special_tokens=not written
        ).to(model.device)
        with torch.no_grad():
            out = model.generate(
                **batch,
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=tokenizer.pad_token_id,
            )
        new = out[:, batch["input_ids"].shape[1] :]
        rewrites += tokenizer.batch_decode(new, skip_special_tokens=True)
    return rewrites

import copy
import json
import math
from pathlib import Path

import pytest
import torch

from unlearning_audit.methods import METHODS, UnlearningData
from unlearning_audit.models import TRAINING_RECORD, layer_output, tokenize

RMU = {
    "layers": [0, 1],
    "steering_layer": 1,
    "steering_coef": 20.0,
    "alpha": 10.0,
    "lr": 1e-3,
    "batch_size": 4,
    "num_steps": 6,
    "max_length": 48,
    "seed": 0,
}
LLMU = {
    "ga_weight": 0.5,
    "random_weight": 1.0,
    "random_answers": 2,
    "kl_weight": 1.0,
    "lr": 1e-3,
    "batch_size": 4,
    "num_steps": 4,
    "max_length": 48,
    "seed": 0,
}
GRADIENT_ASCENT = {"lr": 1e-3, "batch_size": 4, "num_steps": 4, "max_length": 48, "seed": 0}
GRADIENT_DIFFERENCE = GRADIENT_ASCENT | {"retain_weight": 1.0}
NPO = GRADIENT_ASCENT | {"beta": 0.1, "retain_weight": 1.0}
DISTILL = GRADIENT_ASCENT | {
    "teacher": "oracle",
    "student": "base",
    "noise": 0.0,
    "corpora": ["forget", "retain"],
}


@pytest.fixture
def data(tiny_world):
    def qa(domain):
        return [(r["prompt"], r["answer"]) for r in tiny_world[domain]["qa"]]

    return UnlearningData(
        forget_corpora={d: tiny_world[d]["corpus"] for d in ("bio", "cyber")},
        forget_qa=qa("bio") + qa("cyber"),
        retain_corpus=tiny_world["history"]["corpus"],
        retain_qa=qa("history"),
    )


@pytest.fixture
def restore_padding_side(tiny_tokenizer):
    """The tokenizer is shared by the session: give it back as found."""
    side = tiny_tokenizer.padding_side
    yield
    tiny_tokenizer.padding_side = side


def forbid_model_copies(monkeypatch):
    deepcopy = copy.deepcopy

    def refuse_modules(value, *args):
        assert not isinstance(value, torch.nn.Module), "a second copy of the model"
        return deepcopy(value, *args)

    monkeypatch.setattr(copy, "deepcopy", refuse_modules)


def _snapshot(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def test_layer_output_is_the_residual_stream_after_that_layer(tiny_model, tiny_tokenizer):
    batch = tokenize(tiny_tokenizer, ["Boga virus lives in bats.", "A longer sentence here."], 48)
    with torch.no_grad():
        full = tiny_model(**batch, output_hidden_states=True).hidden_states
        for layer in range(tiny_model.config.num_hidden_layers - 1):
            torch.testing.assert_close(layer_output(tiny_model, layer, batch), full[layer + 1])


def test_layer_output_overrides_weights_for_one_call_only(tiny_model, tiny_tokenizer):
    batch = tokenize(tiny_tokenizer, ["Boga virus lives in bats."], 48)
    name = "layers.0.mlp.down_proj.weight"
    with torch.no_grad():
        before = layer_output(tiny_model, 1, batch)
        zeroed = layer_output(tiny_model, 1, batch, overrides={name: torch.zeros(64, 192)})
        after = layer_output(tiny_model, 1, batch)
    assert not torch.allclose(before, zeroed)
    torch.testing.assert_close(before, after)


def test_rmu_trains_only_down_proj_of_the_configured_layers(tiny_model, tiny_tokenizer, data):
    before = _snapshot(tiny_model)
    stats = METHODS["rmu"](tiny_model, tiny_tokenizer, data, RMU)
    after = _snapshot(tiny_model)
    trained = {f"model.layers.{i}.mlp.down_proj.weight" for i in RMU["layers"]}
    for name in before:
        if name in trained:
            assert not torch.equal(before[name], after[name]), name
        else:
            assert torch.equal(before[name], after[name]), f"RMU touched {name}"
    assert len(stats["steps"]) == RMU["num_steps"]
    assert stats["base_forget_activation_norm"] > 0
    assert all(p.requires_grad for p in tiny_model.parameters())  # left as found


def test_rmu_retain_loss_starts_at_zero_and_forget_loss_falls(tiny_model, tiny_tokenizer, data):
    params = RMU | {"num_steps": 40, "lr": 3e-3}
    steps = METHODS["rmu"](tiny_model, tiny_tokenizer, data, params)["steps"]
    # Step 0 compares the model with its own original weights.
    assert steps[0]["retain_loss"] == pytest.approx(0.0, abs=1e-6)
    first = sum(s["forget_loss"] for s in steps[:4])
    last = sum(s["forget_loss"] for s in steps[-4:])
    assert last < first


def test_rmu_is_deterministic_for_a_seed(tiny_model, tiny_tokenizer, data):
    twin = copy.deepcopy(tiny_model)
    METHODS["rmu"](tiny_model, tiny_tokenizer, data, RMU)
    METHODS["rmu"](twin, tiny_tokenizer, data, RMU)
    for (name, a), (_, b) in zip(tiny_model.named_parameters(), twin.named_parameters()):
        assert torch.equal(a, b), name


def test_llmu_kl_starts_at_zero_and_the_forget_answers_get_less_likely(
    tiny_model, tiny_tokenizer, data
):
    steps = METHODS["llmu"](tiny_model, tiny_tokenizer, data, LLMU)["steps"]
    # True KL to the original model: zero before the first update.
    assert steps[0]["kl"] == pytest.approx(0.0, abs=1e-6)
    assert steps[-1]["kl"] > 0
    assert all(torch.isfinite(torch.tensor(list(s.values()))).all() for s in steps)


def test_llmu_mismatched_answers_in_k_passes_give_the_whole_batchs_loss_and_gradient(
    tiny_model, tiny_tokenizer, data
):
    """LLMU runs its k mismatched answers per question as k passes (one batch of
    activations at a time); their shares must add up to the mean over all answers."""
    from unlearning_audit.methods.common import sequence_nll
    from unlearning_audit.models import tokenize_answers

    questions = [q for q, _ in data.forget_qa[:4]]
    draws = [[a for _, a in data.retain_qa[i : i + 4]] for i in range(0, 12, 4)]

    def gradient(loss):
        tiny_model.zero_grad(set_to_none=True)
        loss.backward()
        return [p.grad.clone() for p in tiny_model.parameters()]

    whole = tokenize_answers(tiny_tokenizer, questions * 3, sum(draws, []), 48)
    loss = tiny_model(**whole).loss
    expected = gradient(loss)
    passes = [tokenize_answers(tiny_tokenizer, questions, answers, 48) for answers in draws]
    tokens = sum(int((b["labels"][:, 1:] != -100).sum()) for b in passes)
    shares = [sequence_nll(tiny_model, b).sum() / tokens for b in passes]
    assert sum(s.item() for s in shares) == pytest.approx(loss.item(), rel=1e-5)
    for ours, theirs in zip(gradient(sum(shares)), expected):
        torch.testing.assert_close(ours, theirs, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("rmu", RMU),
        ("llmu", LLMU),
        ("gradient_ascent", GRADIENT_ASCENT),
        ("gradient_difference", GRADIENT_DIFFERENCE),
        ("npo", NPO),
        ("distill", DISTILL),
    ],
)
def test_every_method_is_its_loss_on_the_shared_training_loop(
    tiny_model, tiny_tokenizer, data, monkeypatch, method, params
):
    data.teacher = copy.deepcopy(tiny_model)  # distill's; the others read none
    import importlib

    from unlearning_audit.methods import common

    calls = []

    def loop(model, optimizer, num_steps, step_loss, desc, schedule=None):
        calls.append(num_steps)
        return common.training_loop(model, optimizer, num_steps, step_loss, desc, schedule)

    monkeypatch.setattr(importlib.import_module(METHODS[method].__module__), "training_loop", loop)
    steps = METHODS[method](tiny_model, tiny_tokenizer, data, params | {"num_steps": 2})["steps"]
    assert calls == [2] and len(steps) == 2


@pytest.mark.parametrize(
    ("method", "params", "at_start"),
    [
        ("llmu", LLMU, "kl"),  # 0: the reference is the model with its adapters off
        ("npo", NPO, "log_ratio"),  # 0 likewise
        ("gradient_ascent", GRADIENT_ASCENT, None),
        ("gradient_difference", GRADIENT_DIFFERENCE, None),
    ],
)
def test_a_method_through_lora_keeps_no_copy_and_changes_only_the_adapted_weights(
    tiny_model, tiny_tokenizer, data, monkeypatch, method, params, at_start
):
    """The paper's LLMU trained adapters on q and v; any method can (``lora``)."""
    before = _snapshot(tiny_model)
    forbid_model_copies(monkeypatch)
    params = params | {"lora": {"r": 4, "alpha": 8, "target_modules": ["q_proj", "v_proj"]}}
    steps = METHODS[method](tiny_model, tiny_tokenizer, data, params)["steps"]
    if at_start:
        assert steps[0][at_start] == pytest.approx(0.0, abs=1e-5)
        assert steps[-1][at_start] != pytest.approx(0.0, abs=1e-5)
    after = _snapshot(tiny_model)  # the caller's model, adapters merged into it
    assert set(after) == set(before)  # no adapter left behind
    changed = {n for n in before if not torch.equal(before[n], after[n])}
    assert changed and all(n.endswith(("q_proj.weight", "v_proj.weight")) for n in changed)


@pytest.mark.parametrize("side", ["right", "left"])
def test_llmu_loss_is_finite_on_texts_longer_than_max_length(
    tiny_model, tiny_tokenizer, data, side, restore_padding_side
):
    """Plain corpora (config/paper.yaml) give LLMU long prompt/answer halves: the
    answer must keep labels after truncation, on either padding side."""
    from unlearning_audit.models import tokenize_answers
    from unlearning_audit.providers.hub import qa_from_texts

    long_texts = [" ".join(data.forget_texts[i : i + 12]) for i in range(0, 48, 12)]
    pairs = [(r["prompt"], r["answer"]) for r in qa_from_texts(long_texts)]
    tiny_tokenizer.padding_side = side
    batch = tokenize_answers(tiny_tokenizer, *zip(*pairs), 32)
    assert batch["input_ids"].shape[1] == 32  # prompt and answer both cut to fit
    assert ((batch["labels"] != -100).sum(1) == 16).all()  # half the row is answer
    labelled = batch["labels"] != -100
    assert (batch["input_ids"][labelled] == batch["labels"][labelled]).all()
    assert not (labelled & (batch["attention_mask"] == 0)).any()
    long_data = UnlearningData(data.forget_corpora, pairs, data.retain_corpus, pairs)
    steps = METHODS["llmu"](tiny_model, tiny_tokenizer, long_data, LLMU | {"max_length": 32})
    assert all(torch.isfinite(torch.tensor(list(s.values()))).all() for s in steps["steps"])


def test_answer_labels_are_the_same_tokens_whichever_side_pads(
    tiny_tokenizer, restore_padding_side
):
    from unlearning_audit.models import tokenize_answers

    prompts, answers = ["Question: Where?\nAnswer:", "Q?"], ["In the Boga hills", "Yes"]
    batches = {}
    for side in ("right", "left"):
        tiny_tokenizer.padding_side = side
        batches[side] = tokenize_answers(tiny_tokenizer, prompts, answers, 48)
    for row in range(2):
        right, left = (batches[s]["labels"][row] for s in ("right", "left"))
        assert right[right != -100].tolist() == left[left != -100].tolist()
    assert (batches["left"]["attention_mask"][1, 0] == 0).item()  # shorter row padded left


def test_gradient_difference_raises_forget_loss_and_holds_retain(tiny_model, tiny_tokenizer, data):
    params = GRADIENT_DIFFERENCE | {"num_steps": 10}
    steps = METHODS["gradient_difference"](tiny_model, tiny_tokenizer, data, params)["steps"]
    assert steps[-1]["forget_nll"] > steps[0]["forget_nll"]
    assert all(torch.isfinite(torch.tensor(list(s.values()))).all() for s in steps)


def test_npo_starts_at_its_reference_and_lowers_the_forget_likelihood(
    tiny_model, tiny_tokenizer, data
):
    params = NPO | {"num_steps": 10}
    steps = METHODS["npo"](tiny_model, tiny_tokenizer, data, params)["steps"]
    # Before the first update the model is its own reference: log ratio 0, loss 2/beta*log 2.
    assert steps[0]["log_ratio"] == pytest.approx(0.0, abs=1e-4)
    assert steps[0]["forget_loss"] == pytest.approx(2 / NPO["beta"] * math.log(2), rel=1e-4)
    assert steps[-1]["log_ratio"] < 0


def test_gradient_ascent_raises_the_forget_loss(tiny_model, tiny_tokenizer, data):
    params = GRADIENT_ASCENT | {"num_steps": 10}
    before = _snapshot(tiny_model)
    steps = METHODS["gradient_ascent"](tiny_model, tiny_tokenizer, data, params)["steps"]
    assert steps[-1]["forget_nll"] > steps[0]["forget_nll"]
    assert any(not torch.equal(before[n], p) for n, p in tiny_model.named_parameters())


def test_distilling_moves_the_student_to_its_teacher(tiny_model, tiny_tokenizer, data):
    from unlearning_audit.methods.distill import noised

    # The teacher: another initialisation of the architecture (as far from the student
    # as an untrained oracle is from the base model).
    teacher = copy.deepcopy(tiny_model)
    noised(teacher, 1.0, seed=1)
    data.teacher = teacher
    params = DISTILL | {"num_steps": 30, "lr": 3e-3}
    steps = METHODS["distill"](tiny_model, tiny_tokenizer, data, params)["steps"]
    assert steps[-1]["kl"] < 0.5 * steps[0]["kl"]
    assert all(not p.requires_grad for p in teacher.parameters())  # the teacher is frozen


def test_noise_mixes_a_fresh_initialisation_in_and_the_student_may_start_as_its_teacher(
    tiny_model, tiny_tokenizer, data
):
    from unlearning_audit.methods.distill import noised

    before = _snapshot(tiny_model)
    fresh = copy.deepcopy(tiny_model)
    noised(fresh, 1.0, seed=3)
    half = copy.deepcopy(tiny_model)
    noised(half, 0.5, seed=3)
    for name, p in half.named_parameters():
        expected = 0.5 * before[name] + 0.5 * dict(fresh.named_parameters())[name]
        assert torch.allclose(p, expected, atol=1e-6)
    assert any(not torch.equal(before[n], p) for n, p in fresh.named_parameters())
    noised(tiny_model, 0.0, seed=3)  # no noise: untouched
    assert all(torch.equal(before[n], p) for n, p in tiny_model.named_parameters())
    # student: teacher, no step taken: the student is the teacher's copy.
    data.teacher = fresh
    METHODS["distill"](
        tiny_model,
        tiny_tokenizer,
        data,
        DISTILL | {"student": "teacher", "lr": 1e-12, "num_steps": 1},
    )
    for name, p in tiny_model.named_parameters():
        assert torch.allclose(p, dict(fresh.named_parameters())[name], atol=1e-6)


@pytest.mark.parametrize("tuning", ["full", "lora"])
def test_relearning_saves_a_checkpoint_at_each_step_count(
    tiny_model, tiny_tokenizer, tiny_world, tuning, tmp_path, monkeypatch
):
    """Full fine-tuning saves whole models; LoRA saves adapters alone (no merged copy),
    which load merged into their parent."""
    from unlearning_audit.models import load_checkpoint, save_checkpoint
    from unlearning_audit.training import finetune_lm

    monkeypatch.chdir(tmp_path)  # the adapters name their parent by its relative path
    save_checkpoint(tiny_model, tiny_tokenizer, "parent", {}, lambda sha: {"sha256": sha})
    model, _ = load_checkpoint("parent")
    cfg = {
        "tuning": tuning,
        "lora": {"r": 4, "alpha": 8},
        "lr": 1e-2,
        "batch_size": 4,
        "max_length": 48,
        "seed": 0,
    }
    before = _snapshot(model)
    live = {}

    def save(model, steps, losses):
        assert len(losses) == steps
        live[steps] = {n: p for n, p in _snapshot(model).items() if "lora_" not in n}
        save_checkpoint(model, tiny_tokenizer, f"step-{steps}", {}, lambda sha: {"sha256": sha})

    with monkeypatch.context() as patch:
        forbid_model_copies(patch)
        finetune_lm(model, tiny_tokenizer, tiny_world["music"]["corpus"], cfg, [2, 5], save)
    saved = {}
    for steps in (2, 5):
        files = {p.name for p in Path(f"step-{steps}").iterdir()}
        assert ("model.safetensors" in files) == (tuning == "full")
        assert ("adapter_model.safetensors" in files) == (tuning == "lora")
        loaded, _ = load_checkpoint(f"step-{steps}")
        assert type(loaded).__name__ == "LlamaForCausalLM"  # adapters merged away
        saved[steps] = _snapshot(loaded)
        assert set(saved[steps]) == set(before)
        assert any(not torch.equal(before[n], saved[steps][n]) for n in before)
        if tuning == "full":  # what was saved is what was trained
            assert all(torch.equal(live[steps][n], saved[steps][n]) for n in before)
    assert any(not torch.equal(saved[2][n], saved[5][n]) for n in before)


def test_strided_windows_make_each_token_a_target_once(tiny_tokenizer, tiny_world):
    """The paper's relearning rows: windows of `length` tokens every `stride`, each
    token (and each text's EOS) predicted in exactly one window."""
    from unlearning_audit.models import padded_batch, strided_windows

    texts = [" ".join(tiny_world["music"]["corpus"][:6]), "a b"]
    rows = strided_windows(tiny_tokenizer, texts, 16, 8)
    tokens = [ids + [tiny_tokenizer.eos_token_id] for ids in tiny_tokenizer(texts)["input_ids"]]
    assert len(tokens[0]) > 32  # several windows
    assert all(len(ids) <= 16 and len(ids) == len(labels) for ids, labels in rows)
    assert [t for _, labels in rows for t in labels if t != -100] == tokens[0] + tokens[1]
    batch = padded_batch(tiny_tokenizer, rows[:3])
    assert (batch["labels"] != -100).sum() == sum(t != -100 for _, ls in rows[:3] for t in ls)


@pytest.mark.slow
def test_a_distilled_run_trains_from_its_teacher_in_the_graph(tiny_study, tmp_path):
    """The tiny study leaves the distilled rows out (config/tiny.yaml): added to a copy,
    its unlearn job reads the teacher's checkpoint and the unrelated corpora."""
    from conftest import copy_study, load_tiny_config, make_workdir, run_snakemake

    from unlearning_audit import layout
    from unlearning_audit.provenance import load_record

    study = copy_study(tiny_study, tmp_path / "study")
    config = load_tiny_config()
    config["unlearning"]["undo"] = {
        "method": "distill",
        "params": DISTILL
        | {"teacher": "rmu", "student": "teacher", "noise": 0.5}
        | {"corpora": ["retain", "unrelated"], "num_steps": 3},
    }
    make_workdir(study, config)
    run_snakemake(study, targets=[layout.checkpoint("undo")])
    record = load_record(study / layout.checkpoint("undo"))
    read = [i["path"] for i in record["inputs"]]
    assert layout.checkpoint("rmu") in read and layout.corpus("music") in read
    training = json.loads((study / layout.checkpoint("undo") / TRAINING_RECORD).read_text())
    assert training["method"] == "distill" and training["teacher"] == layout.checkpoint("rmu")
    assert len(training["steps"]) == 3 and all("kl" in step for step in training["steps"])

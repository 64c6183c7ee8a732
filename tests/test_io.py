import pytest

from unlearning_audit.io import atomic_path, write_json


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    final = tmp_path / "out" / "result.json"
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert not final.exists()
    assert list(final.parent.iterdir()) == []


def test_a_failed_folder_write_keeps_the_old_folder(tmp_path):
    final = tmp_path / "checkpoint"
    final.mkdir()
    (final / "weights").write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(final) as tmp:
            tmp.mkdir()
            (tmp / "weights").write_text("new, half written")
            raise RuntimeError("killed")
    assert (final / "weights").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint"]


def test_a_finished_folder_replaces_the_old_one_whole(tmp_path):
    final = tmp_path / "checkpoint"
    final.mkdir()
    (final / "stale").write_text("old")
    with atomic_path(final) as tmp:
        tmp.mkdir()
        (tmp / "weights").write_text("new")
    assert sorted(p.name for p in final.iterdir()) == ["weights"]


def test_write_json_is_readable_json(tmp_path):
    write_json(tmp_path / "a.json", {"b": 1})
    assert (tmp_path / "a.json").read_text().strip() == '{\n  "b": 1\n}'


def test_a_gated_local_corpus_must_exist_and_match_its_pin(tmp_path):
    from unlearning_audit.io import write_jsonl
    from unlearning_audit.provenance import file_sha256
    from unlearning_audit.providers.hub import read_local_corpus

    path = tmp_path / "bio.jsonl"
    spec = {"path": str(path), "sha256": None, "obtain": "ask its owners"}
    with pytest.raises(FileNotFoundError, match="To obtain it: ask its owners"):
        read_local_corpus(spec)
    write_jsonl(path, [{"text": "x"}])
    with pytest.raises(ValueError, match="not pinned"):
        read_local_corpus(spec)
    with pytest.raises(ValueError, match="but the config expects"):
        read_local_corpus(spec | {"sha256": "0" * 64})
    assert read_local_corpus(spec | {"sha256": file_sha256(path)}) == ["x"]


def test_llmu_prompts_from_plain_texts_split_each_text_in_half():
    from unlearning_audit.providers.hub import qa_from_texts

    assert qa_from_texts(["one two three four", "single"]) == [
        {"prompt": "one two", "answer": "three four", "text": "one two three four"}
    ]

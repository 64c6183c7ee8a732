"""Walk provenance records from any artifact back to the roots, checking hashes.

Paths in records are relative to the study folder (Snakemake's workdir), so
the walk runs from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from unlearning_audit import layout, provenance

# Everything the pipeline makes lives here and must carry a record; inputs from
# elsewhere (a local corpus, say) are roots checked by the hash their user recorded.
RESULTS = Path(layout.RESULTS)


@dataclass
class Node:
    path: str
    recorded_sha256: str | None  # what the record of this artifact or its consumer says
    record: dict | None
    # The digest of this artifact's record, as its consumer recorded it (the hash chain).
    recorded_record_sha256: str | None = None
    children: list[Node] = field(default_factory=list)
    selected_rows: list[dict] = field(default_factory=list)  # a table's rows behind the selection
    problem: str | None = None  # set by verify()

    @property
    def rule(self) -> str | None:
        return self.record["rule"] if self.record else None


def trace(path: str, selector: dict[str, str] | None = None) -> Node:
    """The lineage tree of ``path``; ``selector`` narrows tables to matching rows."""
    return _trace(path, None, selector or {}, {})


def _trace(path: str, item: dict | None, selector: dict, seen: dict) -> Node:
    record = provenance.load_record(path) if Path(path).exists() else None
    item = item or {}
    node = Node(
        path, item.get("sha256") or (record or {}).get("sha256"), record, item.get("record_sha256")
    )
    if record is None:
        return node
    inputs = record["inputs"]
    # Result tables (one row per number) are narrowed, data tables are not.
    if selector and Path(path).parent == Path(layout.TABLES) and path.endswith(".csv"):
        node.selected_rows, inputs = _select(path, inputs, selector)
    for item in inputs:
        # Shared ancestors (the toy world, the base model) are expanded once.
        key = (item["path"], item["sha256"])
        if key in seen:
            repeat = Node(item["path"], item["sha256"], seen[key].record, item.get("record_sha256"))
            node.children.append(repeat)
            continue
        child = _trace(item["path"], item, selector, seen)
        seen[key] = child
        node.children.append(child)
    return node


def _select(table_path: str, inputs: list[dict], selector: dict) -> tuple[list[dict], list[dict]]:
    table = pd.read_csv(table_path, dtype=str)
    if "source" not in table.columns:
        # A table made from other tables (frontier.csv from summary.csv): the
        # selection narrows the tables it reads, which cite evaluation JSONs.
        return [], inputs
    unknown = set(selector) - set(table.columns)
    if unknown:
        raise ValueError(f"{table_path} has no column {sorted(unknown)[0]!r}")
    rows = table
    for column, value in selector.items():
        rows = rows[rows[column] == value]
    if rows.empty:
        raise ValueError(f"no row of {table_path} matches {selector}")
    sources = set(rows["source"])
    return rows.to_dict("records"), [i for i in inputs if i["path"] in sources]


def walk(node: Node):
    yield node
    for child in node.children:
        yield from walk(child)


def record_file(node: Node) -> str:
    """Where an artifact's record lives (see provenance)."""
    path = Path(node.path)
    if path.is_dir():
        return str(path / provenance.RECORD_FILE)
    if path.suffix == ".json":
        return f"{node.path} (its embedded record)"
    return str(provenance.sidecar(path))


def verify(root: Node) -> Node | None:
    """Recompute every hash on the way, of artifacts and of their records; return
    the first artifact that no longer matches (and mark it), or None if all match."""
    digests: dict[str, str] = {}  # each artifact hashed once, however often it is used
    for node in walk(root):
        recorded = node.recorded_record_sha256
        if node.record is not None and recorded is not None:
            actual = provenance.record_digest(node.record)
            if actual != recorded:
                node.problem = (
                    f"record edited: {record_file(node)} has sha256 {actual[:12]}, "
                    f"but what used it recorded {recorded[:12]}"
                )
                return node
        if node.record is None and Path(node.path).is_relative_to(RESULTS):
            node.problem = "has no provenance record"
        elif node.recorded_sha256 is None:
            node.problem = "has no recorded sha256"
        elif not Path(node.path).exists():
            node.problem = "is missing"
        else:
            if node.path not in digests:
                digests[node.path] = provenance.digest(node.path)
            actual = digests[node.path]
            if actual != node.recorded_sha256:
                node.problem = (
                    f"content changed: sha256 {actual[:12]} != recorded {node.recorded_sha256[:12]}"
                )
                if Path(node.path).is_dir():
                    node.problem += f" ({_changed_files(node)})"
            elif node.record and node.record["sha256"] != node.recorded_sha256:
                node.problem = "its own record disagrees with the record of what used it"
        if node.problem:
            return node
    return None


def _changed_files(node: Node) -> str:
    recorded = (node.record or {}).get("manifest")
    if recorded is None:
        return "folder manifest differs"
    current = provenance.folder_manifest(node.path)
    changed = sorted(
        k for k in recorded.keys() | current.keys() if recorded.get(k) != current.get(k)
    )
    return "changed files: " + ", ".join(changed)


def _label(node: Node) -> str:
    sha = (node.recorded_sha256 or "?")[:12]
    if node.record is None:
        return f"{node.path}  sha256:{sha}  (root: no record)"
    wildcards = " ".join(f"{k}={v}" for k, v in node.record["wildcards"].items())
    return f"{node.path}  [{node.rule}{' ' + wildcards if wildcards else ''}]  sha256:{sha}"


def to_text(root: Node) -> str:
    lines: list[str] = []
    printed: set[tuple] = set()

    def emit(node: Node, prefix: str, branch: str) -> None:
        key = (node.path, node.recorded_sha256)
        repeat = key in printed and node.children == []
        label = _label(node) + ("  (see above)" if repeat and node.record else "")
        if node.problem:
            label += f"  <-- {node.problem}"
        lines.append(prefix + branch + label)
        printed.add(key)
        child_prefix = prefix + ("    " if branch == "└── " else "│   " if branch else "")
        for row in node.selected_rows:
            lines.append(child_prefix + f"  row: {_row_text(row)}")
        if node.record and not repeat:
            code = node.record["code"]
            lines.append(
                child_prefix
                + f"  made {node.record['end']} on {node.record['device']}, "
                + f"code {str(code['commit'])[:10]}{' (dirty)' if code['dirty'] else ''}, "
                + f"config sha256:{node.record['config_sha256'][:12]}"
            )
        for i, child in enumerate(node.children):
            last = i == len(node.children) - 1
            emit(child, child_prefix, "└── " if last else "├── ")

    emit(root, "", "")
    return "\n".join(lines)


def _row_text(row: dict) -> str:
    keep = ("checkpoint", "benchmark", "variant", "scoring", "relearn_steps", "accuracy", "n")
    return ", ".join(f"{k}={row[k]}" for k in keep if k in row)


def to_dict(node: Node) -> dict:
    return {
        "path": node.path,
        "sha256": node.recorded_sha256,
        "rule": node.rule,
        "wildcards": (node.record or {}).get("wildcards"),
        "params": (node.record or {}).get("params"),
        "record": node.record,
        "selected_rows": node.selected_rows or None,
        "problem": node.problem,
        "inputs": [to_dict(c) for c in node.children],
    }


def to_prov(root: Node):
    """The same graph as W3C PROV: artifacts are entities, rule jobs activities."""
    from prov.model import ProvDocument

    document = ProvDocument()
    document.add_namespace("ua", "urn:unlearning-audit:artifact:")
    document.add_namespace("job", "urn:unlearning-audit:job:")
    entities, activities = {}, {}

    def entity(node: Node):
        if node.path not in entities:
            entities[node.path] = document.entity(
                f"ua:{node.path}", {"ua:sha256": node.recorded_sha256 or ""}
            )
        return entities[node.path]

    for node in walk(root):
        if node.record is None:
            entity(node)
            continue
        job_id = f"job:{node.rule}/" + "/".join(
            f"{k}={v}" for k, v in node.record["wildcards"].items()
        )
        if job_id not in activities:
            activities[job_id] = document.activity(
                job_id, node.record["start"], node.record["end"], {"ua:rule": node.rule}
            )
        document.wasGeneratedBy(entity(node), activities[job_id])
        for child in node.children:
            document.used(activities[job_id], entity(child))
            document.wasDerivedFrom(entity(node), entity(child))
    return document

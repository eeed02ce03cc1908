"""Rasa's graph runner without dask's scheduling machinery, for the same results.

Every message runs Rasa's inference graph at least three times (NLU, then one policy
prediction per action). `DaskGraphRunner.run` rebuilds the minimal sub-graph for its targets
and hands it to `dask.get`, dask's synchronous scheduler: one node after another on the
calling thread, with per-run bookkeeping (ordering, dependency sets, task submission). A
profile of one Rasa server answering one citizen at a time put that bookkeeping and the
sub-graph rebuilding at about 12% of its CPU per message, for a graph of a few nodes.

Here the order of the nodes needed for a set of targets is computed once and kept; a run
calls each node in that order with its parents' outputs, exactly the arguments dask passes
(a parent's `(name, output)` tuple, or the parent's name where nothing provides it, which
`GraphNode.__call__` reports as Rasa does). Inputs are added as dask would and clash checks
are Rasa's. dask ran the nodes one at a time on the calling thread too, so nothing about
concurrency changes; only the order of independent nodes may differ, and no node sees
another's output unless it needs it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

Order = List[Tuple[Text, Tuple[Text, ...]]]  # (node name, names of its parents), parents first


def _order(runner: DaskGraphRunner, targets: Tuple[Text, ...]) -> Order:
    cache: Dict[Tuple[Text, ...], Order] = runner.__dict__.setdefault("_run_orders", {})
    if targets not in cache:
        nodes = runner._graph_schema.minimal_graph_schema(list(targets)).nodes
        order: Order = []
        placed: set = set()

        def place(name: Text) -> None:
            if name in placed or name not in nodes:
                return
            placed.add(name)
            needs = tuple(nodes[name].needs.values())
            for parent in needs:
                place(parent)
            order.append((name, needs))

        for name in sorted(nodes):
            place(name)
        cache[targets] = order
    return cache[targets]


def run(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
        targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """`DaskGraphRunner.run`, same arguments, result and errors."""
    run_targets = tuple(targets if targets else self._graph_schema.target_names)
    order = _order(self, run_targets)
    values: Dict[Text, Any] = {}
    for input_name, input_value in (inputs or {}).items():
        if isinstance(input_value, str) and any(input_value == name for name, _ in order):
            raise GraphRunError(
                f"Input value '{input_value}' clashes with a node name. Make sure "
                f"that none of the input names passed to the `run` method are the "
                f"same as node names in the graph schema.")
        values[input_name] = (input_name, input_value)
    try:
        for name, needs in order:
            if name in values:  # an input named like a node stands in for it, as in dask
                continue
            node = self._instantiated_nodes[name]
            values[name] = node(*(values.get(parent, parent) for parent in needs))
    except RuntimeError as error:
        raise GraphRunError("Error running runner.") from error
    return dict(values[target] for target in run_targets)


def install() -> None:
    DaskGraphRunner.run = run

"""Rasa's loaded model and libraries moved out of the garbage collector's way.

A Rasa server holds about half a million long-lived objects once its model is loaded (Rasa,
TensorFlow, scikit-learn, the graph and the domain). Python's cyclic garbage collector walks
all of them at every full collection: about 290 ms on these machines, during which the server
answers nobody. One citizen at a time it is the slowest reply of a run (324 ms against a
median of 20 in the bench); with 20 conversations at once every one of them waits.
`gc.freeze()` once the model is loaded (Python's documented remedy for servers) moves
everything alive at that point to a generation the collector no longer walks (a full
collection then takes well under a millisecond); objects made later (conversations, messages)
are collected as before. A model swapped in later (`PUT /model`) is collected as usual.
"""

from __future__ import annotations

import gc

import rasa.core.run

_stock_load_agent_on_start = rasa.core.run.load_agent_on_start


async def load_agent_on_start(*args, **kwargs):
    agent = await _stock_load_agent_on_start(*args, **kwargs)
    gc.collect()
    gc.freeze()
    return agent


def install() -> None:
    rasa.core.run.load_agent_on_start = load_agent_on_start

"""Conversations as Rasa's own events (the Rasa server's side, not the action server's), one
through every branch of DialogueStateTracker.applied_events: for the tests of rasa_server's
patches that replay events."""

from __future__ import annotations

from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)


def user(intent: str, text: str) -> UserUttered:
    return UserUttered(text, {"name": intent, "confidence": 0.9})


def turn(intent: str, text: str, action: str = "action_answer") -> list:
    return [ActionExecuted("action_listen"), user(intent, text), ActionExecuted(action),
            BotUttered("..."), SlotSet("aspect", "le_phi")]


# Every branch of Rasa's applied_events: a session start and a restart (start again), an
# action reverted, a user message reverted, a form's loop (its first run, a rejected run and a
# repeated run, undone to the previous one), then an ordinary ending.
CONVERSATIONS = {
    "plain": [ActionExecuted("action_session_start"), SessionStarted(), *turn("greet", "chào"),
              *turn("ask_fee", "phí bao nhiêu"), ActionExecuted("action_listen")],
    "reverts": [*turn("greet", "chào"), *turn("ask_fee", "phí"), ActionReverted(),
                *turn("ask_time", "bao lâu"), UserUtteranceReverted(),
                *turn("ask_where", "ở đâu"), ActionExecuted("action_listen")],
    "restart": [*turn("ask_fee", "phí"), Restarted(), *turn("ask_where", "ở đâu"),
                SessionStarted(), *turn("greet", "chào")],
    "loop": [*turn("ask_fee", "phí"), ActionExecuted("some_form"), ActiveLoop("some_form"),
             ActionExecuted("action_listen"), user("inform", "x"),
             ActionExecutionRejected("some_form"), ActionExecuted("some_form"),
             ActionExecuted("action_listen"), user("inform", "y"),
             ActionExecuted("some_form"), ActiveLoop(None), *turn("ask_where", "ở đâu")],
}

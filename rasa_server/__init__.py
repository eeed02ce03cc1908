"""The Rasa server as we run it: stock Rasa 3.6.21 plus measured fixes for its per-message
cost (the action-response check in __main__.py, the event class lookup in events.py, the
states listed once per prediction in rule_policy.py, the events sorted by class in
applied_events.py, the SQL tracker store queries in tracker_store.py, and the others that
install() in __main__.py lists) and, for several instances sharing Redis, a correct lock store
(lock_store.py). `python -m rasa_server` refuses any Rasa version but 3.6.21.
Where the time goes: `python -m bench.profile_rasa`."""

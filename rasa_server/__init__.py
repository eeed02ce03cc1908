"""The Rasa server as we run it: stock Rasa plus two measured fixes for its per-message cost
(the action-response check in __main__.py, the SQL tracker store queries in tracker_store.py)
and, for several instances sharing Redis, a correct lock store (lock_store.py)."""

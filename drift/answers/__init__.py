"""The application layer: what drift knows, as typed answers the daily job and the commands share.

Every function takes the :class:`drift.app.App` facade and plain typed arguments and returns frozen
dataclasses; the daily job (``drift.pipeline``) and every command (``drift.commands``) ask these
modules for their data, so a digest and a command can never disagree. Commands only parse options
and format; they run no queries. The modules, in the order the daily job reads them:

- ``schemas``: the recorded schemas (current, at a snapshot or date, the snapshot list);
- ``changes``: changes between two states of a source, and since the last digest;
- ``findings``: the classifier's findings per item, acknowledgements, rule-update changes;
- ``policy``: the ``[[policy]]`` outcome (open and acknowledged violations);
- ``reconcile``: documented vs observed (``[[reconcile]]``);
- ``inventory``: every current property with its findings, per source or across sources;
- ``digest``: one digest from the answers above (what the daily job renders and ``drift report``);
- ``timeline``, ``exposure``: history questions (a name's moments; what was held in a window);
- ``status``: the job's health (last run, freshness, deliveries not sent);
- ``acks``, ``maintenance``: the acknowledgement ledger and retention.

This package imports nothing itself: ``drift --help`` and ``drift check`` stay free of SQLAlchemy.
"""

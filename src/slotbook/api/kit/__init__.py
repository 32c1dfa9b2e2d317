"""What every API surface shares: access and scopes, errors, parsers, ids, paging, idempotency.

Each surface package keeps the same file set (``routes``, ``schemas``, ``mapping``,
``errors``, ``deps``) and takes the shared rules from here, so a rule fixed once holds on all.
"""

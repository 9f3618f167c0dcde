"""The engine layer: the audit, from an activity stream to scores, the map and trends.

:func:`stakeplug.engine.audit.audit` runs it; the module docstring there lists
the parts in the order an activity meets them.  Internal: the public names are
re-exported by :mod:`stakeplug`.  The engine imports neither the care planner nor
the reports: :class:`~stakeplug.engine.results.Audit` delegates explanations to
the explainer it is given.
"""

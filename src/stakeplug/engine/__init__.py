"""The engine layer: the audit, from an activity stream to scores, the map and trends.

Internal: the public names are re-exported by :mod:`stakeplug`.
"""

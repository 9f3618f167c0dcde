"""The care layer: the planner, fingerprints, task drafting and posting.

Internal: the public names are re-exported by :mod:`stakeplug`.
"""

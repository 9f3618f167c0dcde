"""The plugin registry: adapters found through the ``stakeplug.adapters`` entry points.

Internal: the public names are re-exported by :mod:`stakeplug`.
"""

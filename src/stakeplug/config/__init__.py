"""Configuration: reading ``stakeplug.toml`` into typed values.

Internal: the public names are re-exported by :mod:`stakeplug`.
"""

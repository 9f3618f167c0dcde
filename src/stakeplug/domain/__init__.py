"""The domain layer: pure values (activities, stakeholders, the register, typed rules), no I/O.

Internal: the public names are re-exported by :mod:`stakeplug`.
"""

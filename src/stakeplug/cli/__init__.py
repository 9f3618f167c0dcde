"""The ``stakeplug`` command line: a thin layer over :mod:`stakeplug.app`.

``main`` (exit codes, errors, logging), ``parser`` (the arguments),
``options`` (argument types), ``commands`` (one function per subcommand) and
``console`` (output, progress).
"""

from stakeplug.cli.console import Progress as _Progress
from stakeplug.cli.console import progress_enabled as _progress_enabled
from stakeplug.cli.main import main, run
from stakeplug.cli.parser import build_parser

__all__ = ["_Progress", "_progress_enabled", "build_parser", "main", "run"]

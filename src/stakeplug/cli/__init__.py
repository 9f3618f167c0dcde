"""The ``stakeplug`` command line."""

from stakeplug.cli.main import _Progress, _progress_enabled, build_parser, main, run

__all__ = ["_Progress", "_progress_enabled", "build_parser", "main", "run"]

"""Run the command line as ``python -m stakeplug``."""

from stakeplug.cli import run

run()

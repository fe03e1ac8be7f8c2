"""The ``planex`` command: each subcommand lives in its own module and only parses and calls."""

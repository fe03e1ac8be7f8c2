"""The ``planex`` command: the top floor, above ``planex`` (library), ``training`` and ``serving``.

Nothing imports this package, so the library never depends on the commands built on it
(``tests/test_layout.py`` checks the rule). Each command is one thin module that parses
options and calls one plain function of the library, ``training`` or ``serving``.

Adding a command is one module and one line:

1. Write ``planex_cli/NAME.py`` with ``NAME = "name"``, ``HELP = "one line for planex --help"``,
   ``add_arguments(parser)`` (options, ``parser.description``, and ``parser.set_defaults(func=run)``)
   and ``run(args) -> int`` (``labels.py`` shows a command with actions, one function each).
2. Add the module to ``COMMANDS`` in ``planex_cli/main.py``.

Import torch, transformers and heavy modules inside ``add_arguments``/``run`` only, never at
module level: ``planex --help`` imports every command module and must start in about a second,
and only the command being run has ``add_arguments`` called. A ``ValueError`` or ``OSError``
raised by ``run`` is printed as ``planex NAME: message`` with exit status 2, so library errors
that say what to do reach the user as they are.
"""

"""``python -m goldenthread``: the same as the ``goldenthread`` command."""

from goldenthread.run.cli import main

main()

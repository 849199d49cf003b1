"""`python -m idp.cli`: the `leerid` command without its console script."""

from . import main

main(prog_name="leerid")

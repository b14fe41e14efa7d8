"""`python -m tui`: the shuping command (as installed: `shuping`)."""

from tui.cli import main

main()

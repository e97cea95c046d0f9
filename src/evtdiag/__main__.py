"""Allow ``python -m evtdiag``."""

from evtdiag.cli import main

if __name__ == "__main__":
    main()

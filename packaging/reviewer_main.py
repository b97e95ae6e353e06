"""The bundle's entry point: ``reviewer`` with no arguments opens the app, with arguments it is
the command line (the same ``reviewer.app_entry.main`` that the pip install's ``reviewer`` runs).

``multiprocessing.freeze_support()`` comes first: the app imports calls in a child process
(``reviewer.jobs``, the spawn start method), which a frozen program starts by running its own
executable again with multiprocessing's arguments; freeze_support turns that run into the child.
"""

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from reviewer.app_entry import main  # importing reviewer switches every dependency's telemetry off

    sys.exit(main())

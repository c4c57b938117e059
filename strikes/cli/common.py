"""Exit codes and rejection reports shared by every command.

Exit status: 0 all inputs used, 1 some inputs rejected (each named on stderr with its reason),
2 usage error.  Bad input never produces a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from strikes.errors import InputRejected

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


def report_rejections(rejections: Sequence[InputRejected], err: TextIO) -> None:
    for r in rejections:
        print(f"strikes: rejected {r.source}: {r.reason}", file=err)

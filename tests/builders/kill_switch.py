"""Stage a period in this process and SIGKILL it at the Nth file operation of the lake, as a crash
or an operator's kill would: ``python -m tests.builders.kill_switch LANDING LAKE FEED PERIOD N``.

The operations counted are the lake's writes and renames (Parquet files, the pointer, receipts),
each killed just before it happens. N beyond the last runs to the end (exit 0).
"""

import os
import signal
import sys
from pathlib import Path

from regional_econ.contracts import contract
from regional_econ.staging import stage_period
from regional_econ.storage import lake as lake_module
from regional_econ.storage.lake import Lake


def main() -> int:
    landing, root, feed, period, kill_at = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    calls = {"n": 0}

    def counted(operation):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return operation(*args, **kwargs)

        return wrapper

    lake_module.os.replace = counted(os.replace)
    lake_module.write_parquet = counted(lake_module.write_parquet)
    stage_period(contract(feed), Path(landing), Lake(Path(root)), period)
    print(f"operations: {calls['n']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Settings of the durability run (bench/durability.py): local settings with DATABASE_URL, e-mail
written to files under BENCH_DURABILITY_MAIL (one file per connection), a fast outbox dispatcher
and short leases so that the effects of kill -9 show within the run."""

import os

from config.settings.local import *  # noqa: F403
from config.settings.local import MAILERS

DEBUG = False
CIPNET_DEMO_MODE = False
MAILERS = {**MAILERS, "default": {**MAILERS["default"], "OPTIONS": {"file_path": os.environ["BENCH_DURABILITY_MAIL"]}}}
CIPNET_OUTBOX_DISPATCH_SECONDS = 2
CIPNET_OUTBOX_LEASE_SECONDS = 10
CIPNET_TASK_STUCK_AFTER_SECONDS = 10

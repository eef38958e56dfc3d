"""Words of the command line that several modules share, kept free of heavy imports so
that `runner run list` need not load the engine."""

DEPTHS = ("quick", "standard", "deep")
COMPLETE_STATUSES = ("PASSED", "FAILED", "CANCELED")
TERMINAL_RUN_STATUSES = ("PASSED", "FAILED", "CANCELED", "POSTED")
PAST = {"approve": "approved", "reject": "rejected"}  # a decision, as it is told
CLOSED = ("PASSED", "CANCELED", "POSTED")  # nothing more can happen to such a run (a FAILED run can be retried)

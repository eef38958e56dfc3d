"""Constants of the import tests (a module of its own name: `conftest` is not unique)."""

LUCY = "run_20260224T194855014Z_lucy_w55i7k"
PARTIAL = "run_20260121T024259697Z_test-partial_qhl9a6"

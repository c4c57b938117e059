"""`python -m strikes COMMAND ...`: the parser (`main`), one module per command, shared exit
codes and rejection reports (`common`)."""

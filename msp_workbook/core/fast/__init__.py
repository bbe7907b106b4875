"""The array versions of core rules, for a million usage rows: each module sits beside the rule
it follows (`fast/usage.py` beside `usage.py`, `fast/billable.py` beside `billable.py`,
`fast/comparison.py` beside `comparison.py`). They need numpy, which xlwings Lite may lack,
and give way (return None) where a number would not fit 64 bits; the plain rule is what runs
then, and is their oracle in the property tests."""

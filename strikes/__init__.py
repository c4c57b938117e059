"""Strike Tracker's pandas layer: documents -> articles -> sentences -> claims -> events -> store.

Nothing in this package imports streamlit; the dashboard reads what it produces.
"""

__version__ = "0.1.0"

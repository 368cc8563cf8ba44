"""The Qt window of Hylla: widgets, Qt models and dialogs that show what services return.

Nothing here builds a query or holds a database session: a page asks the one database
worker (:mod:`app.ui.runner`) to run a service function and shows its result.
"""

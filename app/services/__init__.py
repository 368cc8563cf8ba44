"""Use cases: each function takes a session, never commits, returns plain results."""

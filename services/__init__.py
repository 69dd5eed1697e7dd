"""Feature logic: plain async services that take and return pydantic models and know nothing of Discord."""

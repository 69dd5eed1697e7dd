"""Persistence: pydantic models, repository interfaces and their SQLite implementation."""

from storage.base import Storage
from storage.sqlite import SqliteStorage

__all__ = ["SqliteStorage", "Storage"]

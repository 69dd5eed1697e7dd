"""Discord presentation, one module or package per feature; each has a `setup(bot)` entry point."""

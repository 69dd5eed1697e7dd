"""The Discord side of the co-creation bot: settings, the Bot class, scheduler and error handling."""

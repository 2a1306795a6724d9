"""Step definitions: the Chinese vocabulary on the domain language, and the drivers below it."""

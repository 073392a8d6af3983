// Placeholder: implemented in its own commit.

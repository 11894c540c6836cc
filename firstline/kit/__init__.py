"""Small generic helpers shared by several domains."""

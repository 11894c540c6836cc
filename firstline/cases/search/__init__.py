"""Full-text search over messages, notes and (for compliance only) compliance notes."""

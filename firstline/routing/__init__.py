"""Routing: agent presence, capacity, the chat queue, matching, offers and per-conversation metrics."""

"""Live chat: sites, visitors, the websocket protocol (docs/chat-protocol.md) and its bus."""

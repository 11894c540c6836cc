"""The email channel: IMAP, SMTP and file intake into one pipeline, threading, and a durable outbox."""

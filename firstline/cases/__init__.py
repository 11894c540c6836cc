"""Cases: structured fields, tiers and escalation, compliance confidentiality, complaints, incidents, search."""

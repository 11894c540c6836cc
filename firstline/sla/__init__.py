"""SLA policies, business-hour calendars and the clocks that warn before a breach and act on one."""

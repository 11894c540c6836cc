"""Incidents: many conversations behind one problem, and one reviewed update to every customer."""

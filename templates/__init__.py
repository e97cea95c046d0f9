"""Report templates and the collector script, shipped as package data."""

"""Placeholder: routes arrive with their report family."""

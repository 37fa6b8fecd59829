"""Helpers shared by every domain: fields, column types, pagination, sorting, ETags."""

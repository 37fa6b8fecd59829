"""Purchasing: purchase orders, receiving, returns to suppliers, supplier history."""

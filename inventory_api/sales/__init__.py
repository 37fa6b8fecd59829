"""Sales at the point of sale: sales, their lines, returns and cancellations."""

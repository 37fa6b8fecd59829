"""Customer orders: reserve stock while pending, post it and open a debt when confirmed."""

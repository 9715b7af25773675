"""book-shop: a small book catalogue served over HTTP as JSON (standard library only)."""

"""binhon: market price and supply stabilisation monitor."""

__version__ = "0.1.0"

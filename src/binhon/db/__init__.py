"""Database layer: declarative base, engine and session helpers, typed models."""

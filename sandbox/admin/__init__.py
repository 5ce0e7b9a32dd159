"""The admin API under /__sandbox."""

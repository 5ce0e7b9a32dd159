"""The upstream API families the sandbox stands in for."""

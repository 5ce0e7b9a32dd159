"""Scenarios: load and check the YAML, choose a response, render templates (sandboxed)."""

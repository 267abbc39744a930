"""Deployment code shared by `scripts/` and the test fixtures: every test deploys through it."""

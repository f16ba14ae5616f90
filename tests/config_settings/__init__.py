"""Tests of the project settings (config/), outside the layered packages."""

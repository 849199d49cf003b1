"""Tests of the school and enrollment imports."""

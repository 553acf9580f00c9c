"""Minsheng (民生): community demand handling on one closed-loop engine."""

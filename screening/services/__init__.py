"""Screening's writes: rule configuration, runs and their partitions, flags."""

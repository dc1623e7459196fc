"""Batch import and export of interchange files (shared/spec/interchange.md).

read: find the files of a batch and read them as text; validate: check every row, vectorized,
and type the columns; load: upsert into SQLite or PostgreSQL; export: write the stored rows back.
"""

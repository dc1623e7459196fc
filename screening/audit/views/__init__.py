"""The audit back office's pages; thin: parse, call one service or selector, render."""

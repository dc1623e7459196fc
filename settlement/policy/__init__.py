"""Settlement policy: who pays what, as versioned data (issue 5)."""

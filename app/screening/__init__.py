"""Party screening: sanctions lists as versioned snapshots, fuzzy matching with explanations,
remembered dispositions, re-screening on a new list version (issue 8)."""

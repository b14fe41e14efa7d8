"""The archive on disk: TOML records in a git repository."""

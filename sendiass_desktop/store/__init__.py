"""The encrypted store: SQLCipher connection, key slots, schema, repositories."""

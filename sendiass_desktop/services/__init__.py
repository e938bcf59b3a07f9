"""Use cases with authorisation. Every permission check lives here."""

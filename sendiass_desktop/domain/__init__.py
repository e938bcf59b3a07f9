"""Plain-Python domain: dataclasses, enums and the service's rules.

Nothing here imports Qt, SQL or does I/O, so every rule can be tested alone.
"""

"""Domain types that every layer may share: values and pure rules, no I/O.

They sit below `gateway.store` so the store can persist them without importing the
components that act on them (purchases, flows).
"""

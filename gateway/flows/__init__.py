"""The channel-agnostic menu engine: pure steps (conversation, event) -> (state, screen, effects).

Nothing here does I/O. `engine.advance` is the one entry point; the coordinator (elsewhere) runs the
effects it returns and feeds their results back as events. See `model.py` for the contract.
"""

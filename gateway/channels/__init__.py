"""Channel adapters: each translates one provider's wire format to a `Hop` and the reply back.

No flow logic lives here; `gateway.conversations` runs the hop.
"""

"""Channel adapters: each translates one provider's wire format to an `Inbound` message and
renders the `Reply`'s screen back; `registry.CHANNELS` lists them.

No flow logic lives here; `gateway.conversations` runs the message.
"""

"""The imperative shell around the pure menu engine: sessions, effects, the hop coordinator.

`gateway.flows` decides; this package loads and saves sessions, runs the effects the engine asks
for through the gateway's services, and answers each hop. Channels (`gateway.channels`) only
translate their wire format to a `Hop` and the `Reply` back.
"""

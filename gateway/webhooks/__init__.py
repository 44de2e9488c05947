"""Inbound webhooks from upstreams (VTPass today): verify, acknowledge fast, act through requery."""

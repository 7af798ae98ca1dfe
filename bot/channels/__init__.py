"""Channel adapters: each turns a platform event into an InboundMessage and renders the replies."""

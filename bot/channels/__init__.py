"""Channel adapters: each turns a platform's events into `bot.inbound.InboundMessage`
and renders `flows.replies.Reply` natively."""

"""Channel adapters: each turns a platform's events into `bot.channel_contract.InboundMessage`
and renders `flows.replies.Reply` natively."""

"""The Telegram channel, as a package of one module per concern.

- `channel`: `TelegramChannel`, which turns each update into an `InboundMessage`
  for the conversation service and sends its replies back;
- `bot`: `TelegramBot`, python-telegram-bot's application and our channel,
  started and stopped together, and the webhook's registration;
- `polling`: our getUpdates loop (confirms updates only once processed);
- `webhook`: the route `consultbot serve` adds for Telegram's webhook calls;
- `rendering`: how a reply looks in Telegram, and the signed data of buttons;
- `ticks`: the boxes of a multiple choice ticked one tap at a time, a tick
  beyond the question's maximum refused at once;
- `bounded`: the in-memory tables, kept to their newest entries;
- `keyboards`: a tapped keyboard's spinner stopped, an answered one removed;
- `offers`: what the channel asks the conversation service besides messages;
- `stalled`: a chat's updates waiting for Telegram to take replies again;
- `groups`: the bot leaves a group or channel it is added to (answers are
  given in private);
- `cut`: the parts of a long text an app sent as several messages, after
  the first, dropped rather than taken as answers;
- `sending`: Bot API calls with retries (429, 5xx);
- `address`: the encrypted chat id kept to write first later.
- `reach`: the chats whose resident blocked the bot; on unblocking, the
  team's messages that waited for them sent at once.

What the channel says itself is in the text catalogue (`flows/texts`, sections
`telegram` and `telegram_menu`).
"""

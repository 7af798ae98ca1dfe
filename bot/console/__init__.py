"""The console: the moderators', organizers' and admins' pages under /console/,
and the moderation rules the `consultbot moderate` command shares with them."""

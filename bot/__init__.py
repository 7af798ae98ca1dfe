"""The application: config, conversation service, channels, web, CLI."""

"""The flow language: schema, validation, a pure engine, bundled examples."""

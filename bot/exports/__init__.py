"""`consultbot export`: a consultation's contributions as files (CSV, XLSX,
JSON Lines, or Decidim's proposal import), streamed a page at a time."""

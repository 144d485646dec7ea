"""Renderers of the one result model: Word (`docx/`), Markdown, records (JSON, CSV, Excel), atomic writes."""

"""Stage 5: turn results into text, JSON, CSV or HTML. Renderers compute nothing new."""

"""The chat page: presentation only (ui/app.py), HTML rendering (ui/render.py), serving (ui/serve.py)."""
